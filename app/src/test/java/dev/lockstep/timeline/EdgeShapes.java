package dev.lockstep.timeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Timelines of runs that died at the edges (docs/timeline-format.md, "Crashes at the edges"), made the way
 * the crash makes them: the writer's lines cut at a line boundary where the process died, then reopened
 * and finished by the next process. Each must verify COMPLETE, with Lockstep's verifier and with any
 * verifier written from the format document.
 */
final class EdgeShapes {

    private EdgeShapes() {}

    /** Died with the file created and a torn first line; the next process started the file afresh. */
    static Path diedBeforeItsOpenRecord(Path dir, OperatorKey key) {
        Path file = dir.resolve("edge-unopened.jsonl");
        write(file, "{\"v\":2,\"run\":\"edge-unopened\",\"seq\":0,\"ts\":\"2026-");
        TimelineWriter writer = TimelineWriter.create(dir, "edge-unopened", key, Redactor.defaults(), clock());
        writer.append("open", "engine", null, null, Map.of("runbook_id", "R", "resumed", true));
        writer.close(Map.of("state", "done", "exit_code", 0));
        return file;
    }

    /** Died right after its open record, before the session key certificate. */
    static Path diedBetweenOpenAndSessionKey(Path dir, OperatorKey key) {
        TimelineWriter writer = TimelineWriter.create(dir, "edge-open", key, Redactor.defaults(), clock());
        writer.append("open", "engine", null, null, Map.of("runbook_id", "R"));
        Path file = writer.file();
        keepLines(file, 1);
        finish(file, key);
        return file;
    }

    /** Died right after its close record, before the final checkpoint. */
    static Path diedBetweenCloseAndItsSeal(Path dir, OperatorKey key) {
        TimelineWriter writer = TimelineWriter.create(dir, "edge-close", key, Redactor.defaults(), clock());
        writer.append("open", "engine", null, null, Map.of("runbook_id", "R"));
        writer.append("step_start", "engine", "s", 1, Map.of("kind", "sql"));
        writer.append("step_end", "engine", "s", 1, Map.of("result", "ok"));
        writer.close(Map.of("state", "done", "exit_code", 0));
        Path file = writer.file();
        List<String> lines = TimelineEdits.lines(file);
        keepLines(file, lines.size() - 1);
        finish(file, key);
        return file;
    }

    /** Each of the above, in a directory of its own. */
    static List<Path> all(Path dir, OperatorKey key) {
        return List.of(
                diedBeforeItsOpenRecord(dir, key),
                diedBetweenOpenAndSessionKey(dir, key),
                diedBetweenCloseAndItsSeal(dir, key));
    }

    private static void finish(Path file, OperatorKey key) {
        TimelineWriter resumed = TimelineWriter.reopen(file, key, Redactor.defaults(), clock(), StopAndResumeTest.CAROL)
                .writer();
        resumed.append("note", "engine", null, null, Map.of("text", "run resumed"));
        resumed.close(Map.of("state", "done", "exit_code", 0));
    }

    private static void keepLines(Path file, int count) {
        List<String> lines = TimelineEdits.lines(file);
        try {
            Files.write(file, TimelineEdits.join(lines.subList(0, count)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TimelineClock clock() {
        return TimelineClock.system();
    }
}
