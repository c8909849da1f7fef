package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.timeline.OperatorKey;
import dev.lockstep.timeline.Redactor;
import dev.lockstep.timeline.TimelineClock;
import dev.lockstep.timeline.TimelineVerifier;
import dev.lockstep.timeline.TimelineWriter;
import dev.lockstep.timeline.Verdict;
import dev.lockstep.timeline.VerifyResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which file the recorder writes a run's events to: a new run creates {@code <run-id>.jsonl}, a resumed
 * run continues it, and a run an earlier Lockstep version had already split into segments continues in its
 * last segment; no new segment is ever started. (Real runs through {@code lockstep run}:
 * {@link ResumedTimelineRunTest}.)
 */
class TimelineRecorderTest {
    private static final String RUN = "20261120T220000Z-abcde";

    @TempDir
    Path dir;

    final OperatorKey key = OperatorKey.generate();

    private TimelineRecorder recorder() throws IOException {
        Path runbook = dir.resolve("runbook.yaml");
        Files.writeString(
                runbook,
                """
                lockstep: 1
                id: T-recorder
                title: a note
                owner: tests
                intent: nothing but a note
                change: { class: R0, phase: expand }
                steps:
                  - id: hello
                    kind: note
                    text: hello
                """,
                StandardCharsets.UTF_8);
        return new TimelineRecorder(
                dir,
                key,
                Redactor.defaults(),
                TimelineClock.system(),
                new TimelineRecorder.OpenInfo(
                        runbook,
                        "source",
                        null,
                        Map.of("database", "postgres"),
                        "carol@bastion-2",
                        4242,
                        Map.of(),
                        "test"),
                RunPlans.of(RunbookLoader.load(runbook), Instant.now()));
    }

    private static EngineEvent.RunOpened opened(boolean resumed) {
        return new EngineEvent.RunOpened(
                Instant.now(), RUN, "T-recorder", "ab12", "postgres", "carol@bastion-2 pid 4242", resumed, null);
    }

    private static EngineEvent.RunClosed closed(RunState state, int exitCode) {
        return new EngineEvent.RunClosed(Instant.now(), RUN, state, exitCode, "closed");
    }

    /** A closed timeline as an earlier version wrote it, under its own run id. */
    private void stoppedTimeline(String timelineId) {
        TimelineWriter writer =
                TimelineWriter.create(dir, timelineId, key, Redactor.defaults(), TimelineClock.system());
        writer.append("open", "operator:alice@bastion-1", null, null, Map.of("run", RUN, "sha256", "ab12"));
        writer.close(Map.of("state", "stopped", "exit_code", 4));
    }

    /** The body of the engine's note right after the resume's recover record, session key and checkpoint. */
    private static JsonNode resumedNote(Path timeline) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        for (String line : Files.readAllLines(timeline, StandardCharsets.UTF_8)) {
            JsonNode node = mapper.readTree(line);
            if (node.get("type").asText().equals("note")) {
                return node.get("body");
            }
        }
        throw new AssertionError("no note in " + timeline);
    }

    @Test
    void aNewRunCreatesItsFileAndItsResumeContinuesIt() throws IOException {
        TimelineRecorder first = recorder();
        first.on(opened(false));
        first.on(closed(RunState.STOPPED, 4));
        TimelineRecorder second = recorder();
        second.on(opened(true));
        second.on(closed(RunState.DONE, 0));

        assertThat(first.file()).isEqualTo(dir.resolve(RUN + ".jsonl"));
        assertThat(second.file()).isEqualTo(first.file());
        VerifyResult result = TimelineVerifier.verify(first.file(), key.publicKey());
        assertThat(result.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.resumes()).isEqualTo(1);
        JsonNode note = resumedNote(first.file());
        assertThat(note.get("text").asText()).isEqualTo("run resumed by carol@bastion-2 pid 4242");
        assertThat(note.get("runbook_sha256").asText()).isEqualTo("ab12");
        assertThat(note.has("source"))
                .as("the runbook is in the open record already")
                .isFalse();
        assertThat(note.at("/database/database").asText()).isEqualTo("postgres");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(file -> file.toString().endsWith(".jsonl"))).containsExactly(first.file());
        }
    }

    @Test
    void aResumeWithAChangedRunbookRecordsTheNewOne() throws IOException {
        stoppedTimeline(RUN);
        TimelineRecorder recorder = recorder();
        recorder.on(new EngineEvent.RunOpened(
                Instant.now(), RUN, "T-recorder", "cd34", "postgres", "carol@bastion-2 pid 4242", true, null));
        recorder.on(closed(RunState.DONE, 0));

        JsonNode note = resumedNote(dir.resolve(RUN + ".jsonl"));
        assertThat(note.get("text").asText())
                .isEqualTo("run resumed by carol@bastion-2 pid 4242, with a changed runbook");
        assertThat(note.get("runbook_sha256").asText()).isEqualTo("cd34");
        assertThat(note.get("source").asText()).isEqualTo("source");
    }

    @Test
    void aRunWithSegmentsFromAnEarlierVersionContinuesInItsLastSegment() throws IOException {
        // given: <run>.jsonl and <run>.2.jsonl, both closed by an earlier version
        stoppedTimeline(RUN);
        stoppedTimeline(RUN + ".2");
        byte[] firstSegment = Files.readAllBytes(dir.resolve(RUN + ".jsonl"));

        // when
        TimelineRecorder recorder = recorder();
        recorder.on(opened(true));
        recorder.on(closed(RunState.DONE, 0));

        // then
        Path last = dir.resolve(RUN + ".2.jsonl");
        assertThat(recorder.file()).isEqualTo(last);
        assertThat(Files.readAllBytes(dir.resolve(RUN + ".jsonl"))).isEqualTo(firstSegment);
        assertThat(dir.resolve(RUN + ".3.jsonl")).doesNotExist();
        VerifyResult result = TimelineVerifier.verify(last, key.publicKey());
        assertThat(result.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.runId()).isEqualTo(RUN + ".2");
        assertThat(result.resumes()).isEqualTo(1);
    }
}
