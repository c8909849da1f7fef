package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A runbook run as the command-line tests run it: `lockstep run` in line mode, unsigned, against the embedded
 * database, its timelines in {@code dir/timeline}; and those timelines read back.
 */
final class PlainRuns {

    private PlainRuns() {}

    static CliRun run(Path dir, Path runbook, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "run",
                runbook.toString(),
                "--db",
                EngineDatabase.uri(),
                "--plain",
                "--unsigned",
                "--timeline",
                dir.resolve("timeline").toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** The run of a runbook as {@code lockstep status --json} shows it. */
    static JsonNode status(String runbookId) throws IOException {
        CliRun status = CliRun.of("status", "--db", EngineDatabase.uri(), "--json");
        assertThat(status.exitCode()).as(status.err()).isZero();
        for (JsonNode run : new ObjectMapper().readTree(status.out()).get("runs")) {
            if (run.get("runbook_id").asText().equals(runbookId)) {
                return run;
            }
        }
        throw new AssertionError("no run of " + runbookId + " in " + status.out());
    }

    /** The one timeline file of a runbook's run (a resumed run goes on in the same file). */
    static Path timelineFile(Path dir, String runbookId) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("timeline"))) {
            List<Path> runs = new ArrayList<>();
            for (Path file : files.toList()) {
                if (Files.readString(file).contains("\"runbook_id\":\"" + runbookId + "\"")) {
                    runs.add(file);
                }
            }
            if (runs.size() != 1) {
                throw new AssertionError("not one timeline of " + runbookId + ": " + runs);
            }
            return runs.get(0);
        }
    }

    /** The timeline files of a runbook's runs, concatenated. */
    static String timelines(Path dir, String runbookId) throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.list(dir.resolve("timeline"))) {
            for (Path file : files.toList()) {
                String content = Files.readString(file);
                if (content.contains("\"runbook_id\":\"" + runbookId + "\"")) {
                    text.append(content);
                }
            }
        }
        return text.toString();
    }
}
