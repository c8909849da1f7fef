package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real process killed with SIGKILL while appending: nothing acknowledged is lost, and resume seals it. */
class CrashTest {
    @TempDir
    Path dir;

    @Test
    void killedWriterLeavesAnIncompleteTimelineThatReopenCompletes() throws Exception {
        OperatorKey key = OperatorKey.generate();
        Path keyFile = dir.resolve("op.key");
        key.save(keyFile);
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        CrashingAppender.class.getName(),
                        dir.toString(),
                        "run-crash",
                        keyFile.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        long acknowledged = -1;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && acknowledged < 250) {
                acknowledged = Long.parseLong(line.substring("acknowledged ".length()));
            }
            // SIGKILL: no shutdown hook, no finally block, no flush runs in the writer.
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        Path file = dir.resolve("run-crash.jsonl");

        VerifyResult crashed = TimelineVerifier.verify(file, key.publicKey());

        assertThat(crashed.verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(crashed.lines() - 1).as("every acknowledged line survived").isGreaterThanOrEqualTo(acknowledged);
        assertThat(crashed.lastSealedSeq()).isGreaterThanOrEqualTo(0);

        ReopenedTimeline reopened = TimelineWriter.reopen(
                file, key, Redactor.defaults(), TimelineClock.system(), new ReopenedBy("alice@bastion", 7));
        assertThat(reopened.recovery().stepsInDoubt())
                .extracting(StepInDoubt::step)
                .containsExactly("backfill");
        reopened.writer()
                .append(
                        "decision",
                        "operator:alice",
                        "backfill",
                        1,
                        Map.of(
                                "what",
                                "resume",
                                "by",
                                "alice",
                                "reason",
                                "checkpoint row shows the last committed batch"));
        reopened.writer()
                .append("step_end", "system", "backfill", 1, Map.of("result", "ok", "rows", 100 * acknowledged));
        reopened.writer().close(Map.of("state", "done", "exit_code", 0));

        VerifyResult resumed = TimelineVerifier.verify(file, key.publicKey());
        assertThat(resumed.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(resumed.recovers()).isEqualTo(1);
        List<JsonNode> lines = TimelineWriterTest.read(file);
        assertThat(lines).anyMatch(line -> line.get("type").asText().equals("recover"));
    }
}
