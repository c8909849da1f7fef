package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run stopped cleanly and resumed later continues its one timeline file: the close and final checkpoint
 * stay in the middle, a {@code recover} record with {@code after: close} says who resumed it, a new
 * session key is certified, and verify judges the whole file.
 */
class StopAndResumeTest {
    static final ReopenedBy CAROL = new ReopenedBy("carol@bastion-2", 4242);
    static final ReopenedBy DAVE = new ReopenedBy("dave@bastion-3", 5151);

    @TempDir
    Path dir;

    final OperatorKey operator = OperatorKey.generate();

    /** A signed (or, with a null key, unsigned) run that started a backfill and stopped cleanly at it. */
    static TimelineWriter startAndStop(Path dir, String runId, OperatorKey key) {
        TimelineClock clock = new SteppingClock(Instant.parse("2026-11-20T22:00:00Z"), 250);
        TimelineWriter writer = key == null
                ? TimelineWriter.createUnsigned(dir, runId, Redactor.defaults(), clock)
                : TimelineWriter.create(dir, runId, key, Redactor.defaults(), clock);
        writer.append("open", "operator:alice@bastion-1", null, null, Map.of("runbook_id", "CHG-1", "sha256", "ab12"));
        writer.append("step_start", "engine", "fill", 1, Map.of("kind", "backfill"));
        writer.record("batch", "engine", "fill", 1, Map.of("rows", 1000, "duration_ms", 40));
        stop(writer, "stopped at step fill: SIGINT received");
        return writer;
    }

    static void stop(TimelineWriter writer, String why) {
        writer.close(Map.of("state", "stopped", "exit_code", 4, "message", why));
    }

    /** Reopens the run's file an hour after its last line, as the next process would. */
    static TimelineWriter resume(Path file, OperatorKey key, ReopenedBy by) {
        List<String> lines = TimelineEdits.lines(file);
        Instant last = Instant.parse(
                TimelineEdits.parse(lines.get(lines.size() - 1)).get("ts").asText());
        TimelineClock clock = new SteppingClock(last.plusSeconds(3600), 250);
        ReopenedTimeline reopened = key == null
                ? TimelineWriter.reopenUnsigned(file, Redactor.defaults(), clock, by)
                : TimelineWriter.reopen(file, key, Redactor.defaults(), clock, by);
        return reopened.writer();
    }

    @Test
    void aStoppedRunResumedContinuesItsFileUnderANewSessionKeyAndVerifiesComplete() throws IOException {
        // given
        Path file = startAndStop(dir, "run-sr", operator).file();
        VerifyResult stopped = TimelineVerifier.verify(file, operator.publicKey());
        assertThat(stopped.verdict()).isEqualTo(Verdict.COMPLETE);

        // when
        ReopenedTimeline reopened = TimelineWriter.reopen(
                file,
                operator,
                Redactor.defaults(),
                new SteppingClock(Instant.parse("2026-11-21T08:00:00Z"), 250),
                CAROL);
        TimelineWriter writer = reopened.writer();
        writer.append("step_start", "engine", "fill", 2, Map.of("kind", "backfill"));
        writer.append("step_end", "engine", "fill", 2, Map.of("result", "ok", "rows", 9000));
        writer.close(Map.of("state", "done", "exit_code", 0));

        // then: one file, one run id, one chain
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.toList()).containsExactly(file);
        }
        assertThat(reopened.recovery().afterClose()).isTrue();
        assertThat(reopened.recovery().stepsInDoubt()).isEmpty();
        assertThat(reopened.recovery().tornTailBytes()).isZero();
        assertThat(reopened.runbookSha256()).isEqualTo("ab12");
        List<JsonNode> lines = TimelineWriterTest.read(file);
        assertThat(lines).allMatch(line -> line.get("run").asText().equals("run-sr"));
        int close = typeIndex(lines, "close", 0);
        assertThat(lines.get(close).get("body").get("state").asText()).isEqualTo("stopped");
        assertThat(lines.get(close + 1).get("body").get("final").asBoolean()).isTrue();
        JsonNode resume = lines.get(close + 2);
        assertThat(resume.get("type").asText()).isEqualTo("recover");
        assertThat(resume.get("actor").asText()).isEqualTo("operator:carol@bastion-2");
        assertThat(resume.get("body").get("after").asText()).isEqualTo("close");
        assertThat(resume.get("body").get("operator").asText()).isEqualTo("carol@bastion-2");
        assertThat(resume.get("body").get("pid").asLong()).isEqualTo(4242);
        assertThat(resume.get("body").get("prior_last_seq").asLong()).isEqualTo(close + 1L);
        assertThat(resume.get("body").get("torn").isNull()).isTrue();
        assertThat(resume.get("body").get("steps_in_doubt")).isEmpty();
        JsonNode sessionKey = lines.get(close + 3);
        assertThat(sessionKey.get("type").asText()).isEqualTo("session_key");
        assertThat(sessionKey.get("body").get("key").asText())
                .isNotEqualTo(lines.get(1).get("body").get("key").asText());
        assertThat(lines.get(close + 4).get("type").asText()).isEqualTo("checkpoint");
        assertThat(lines.get(close + 4).get("body").get("final").asBoolean()).isFalse();

        VerifyResult result = TimelineVerifier.verify(file, operator.publicKey());
        assertThat(result.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.resumes()).isEqualTo(1);
        assertThat(result.recovers()).isZero();
        assertThat(result.sessionKeys()).isEqualTo(2);
        assertThat(result.summary())
                .startsWith("COMPLETE: run run-sr: " + lines.size() + " lines, stopped and resumed once, closed")
                .contains("by 2 session keys certified by operator key " + operator.fingerprint());
        assertThat(result.toJson()).containsEntry("resumes", 1L).containsEntry("session_keys", 2L);
    }

    @Test
    void twoStopsAndResumesStayInOneFile() {
        Path file = startAndStop(dir, "run-twice", operator).file();
        TimelineWriter second = resume(file, operator, CAROL);
        second.append("step_start", "engine", "fill", 2, Map.of("kind", "backfill"));
        stop(second, "stopped at step fill: paused by stop criterion app-errors, unattended");
        TimelineWriter third = resume(file, operator, DAVE);
        third.append("step_start", "engine", "fill", 3, Map.of("kind", "backfill"));
        third.append("step_end", "engine", "fill", 3, Map.of("result", "ok"));
        third.close(Map.of("state", "done", "exit_code", 0));

        VerifyResult result = TimelineVerifier.verify(file, operator.publicKey());

        assertThat(result.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.resumes()).isEqualTo(2);
        assertThat(result.sessionKeys()).isEqualTo(3);
        assertThat(result.summary()).contains("stopped and resumed 2 times").contains("by 3 session keys");
    }

    @Test
    void aRunStoppedAndNeverResumedIsCompleteAndItsCloseSaysStopped() throws IOException {
        Path file = startAndStop(dir, "run-stopped", operator).file();

        VerifyResult result = TimelineVerifier.verify(file, operator.publicKey());

        assertThat(result.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.resumes()).isZero();
        assertThat(result.summary()).doesNotContain("resumed").contains("by a session key");
        List<JsonNode> lines = TimelineWriterTest.read(file);
        assertThat(lines.get(lines.size() - 2).get("body").get("state").asText())
                .isEqualTo("stopped");
    }

    @Test
    void anUnsignedRunIsStoppedAndResumedTheSameWay() throws IOException {
        Path file = startAndStop(dir, "run-unsigned", null).file();
        TimelineWriter writer = resume(file, null, CAROL);
        writer.close(Map.of("state", "done", "exit_code", 0));

        VerifyResult result = TimelineVerifier.verify(file, operator.publicKey());

        assertThat(result.verdict()).isEqualTo(Verdict.UNSIGNED);
        assertThat(result.resumes()).isEqualTo(1);
        assertThat(result.sessionKeys()).isZero();
        assertThat(result.summary()).startsWith("UNSIGNED: run run-unsigned").contains("stopped and resumed once");
        assertThat(TimelineWriterTest.read(file))
                .noneMatch(line -> line.get("type").asText().equals("session_key"));
    }

    @Test
    void aCrashAfterAResumeIsIncompleteAndReopeningItRecoversWithoutBlamingTheStoppedStep() throws IOException {
        // given: stopped at fill (started, no end), resumed, then a crash in another step
        Path file = startAndStop(dir, "run-crash", operator).file();
        TimelineWriter resumed = resume(file, operator, CAROL);
        resumed.append("step_start", "engine", "count-check", 1, Map.of("kind", "check"));
        String torn = "{\"v\":1,\"run\":\"run-crash\",\"seq\":";
        Files.writeString(file, torn, StandardOpenOption.APPEND);

        VerifyResult crashed = TimelineVerifier.verify(file, operator.publicKey());
        assertThat(crashed.verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(crashed.resumes()).isEqualTo(1);
        assertThat(crashed.tornTailBytes()).isEqualTo(torn.length());
        assertThat(crashed.summary()).contains("stopped and resumed once");

        // when
        ReopenedTimeline reopened =
                TimelineWriter.reopen(file, operator, Redactor.defaults(), new SteppingClock(Instant.EPOCH, 10), DAVE);
        reopened.writer().close(Map.of("state", "done", "exit_code", 0));

        // then: only the step the crash interrupted is in doubt; fill was ended by the clean stop
        assertThat(reopened.recovery().afterClose()).isFalse();
        assertThat(reopened.recovery().stepsInDoubt())
                .extracting(StepInDoubt::step)
                .containsExactly("count-check");
        VerifyResult result = TimelineVerifier.verify(file, operator.publicKey());
        assertThat(result.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.resumes()).isEqualTo(1);
        assertThat(result.recovers()).isEqualTo(1);
        assertThat(result.sessionKeys()).isEqualTo(3);
        assertThat(result.summary()).contains("stopped and resumed once, reopened after a crash");
    }

    @Test
    void aCrashWhileTheResumeWroteItsFirstLineIsResumedAgainAndKeepsTheTornBytes() throws IOException {
        // given: the resume's recover record torn by a crash right after the final checkpoint
        Path file = startAndStop(dir, "run-torn-resume", operator).file();
        String torn = "{\"v\":1,\"run\":\"run-torn-resume\",\"seq\":9,\"ts\":\"2026-";
        Files.writeString(file, torn, StandardOpenOption.APPEND);
        VerifyResult crashed = TimelineVerifier.verify(file, operator.publicKey());
        assertThat(crashed.verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(crashed.tornTailBytes()).isEqualTo(torn.length());

        // when
        ReopenedTimeline reopened =
                TimelineWriter.reopen(file, operator, Redactor.defaults(), new SteppingClock(Instant.EPOCH, 10), CAROL);
        reopened.writer().close(Map.of("state", "done", "exit_code", 0));

        // then
        assertThat(reopened.recovery().afterClose()).isTrue();
        assertThat(reopened.recovery().tornTailBytes()).isEqualTo(torn.length());
        JsonNode resume = TimelineWriterTest.read(file).stream()
                .filter(line -> line.get("type").asText().equals("recover"))
                .findFirst()
                .orElseThrow();
        assertThat(resume.get("body").get("after").asText()).isEqualTo("close");
        assertThat(new String(Hashing.fromBase64(resume.at("/body/torn/base64").asText()), StandardCharsets.UTF_8))
                .isEqualTo(torn);
        VerifyResult result = TimelineVerifier.verify(file, operator.publicKey());
        assertThat(result.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.resumes()).isEqualTo(1);
    }

    @Test
    void aCrashBetweenTheResumeRecordAndItsSessionKeyIsRecoveredToo() throws IOException {
        // given: a resume whose session key never reached the file
        Path file = startAndStop(dir, "run-half-resume", operator).file();
        resume(file, operator, CAROL).close(Map.of("state", "done", "exit_code", 0));
        List<String> lines = TimelineEdits.lines(file);
        int resumeAt = TimelineEdits.indexOf(lines, "\"type\":\"recover\"", 0);
        Files.write(file, TimelineEdits.join(lines.subList(0, resumeAt + 1)));
        VerifyResult crashed = TimelineVerifier.verify(file, operator.publicKey());
        assertThat(crashed.verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(crashed.resumes()).isEqualTo(1);

        // when
        ReopenedTimeline reopened =
                TimelineWriter.reopen(file, operator, Redactor.defaults(), new SteppingClock(Instant.EPOCH, 10), DAVE);
        reopened.writer().close(Map.of("state", "done", "exit_code", 0));

        // then: a crash recover stands right after the resume, then the session key
        List<JsonNode> after = TimelineWriterTest.read(file);
        assertThat(after.get(resumeAt + 1).get("type").asText()).isEqualTo("recover");
        assertThat(after.get(resumeAt + 1).get("body").get("after").asText()).isEqualTo("crash");
        assertThat(after.get(resumeAt + 2).get("type").asText()).isEqualTo("session_key");
        VerifyResult result = TimelineVerifier.verify(file, operator.publicKey());
        assertThat(result.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.resumes()).isEqualTo(1);
        assertThat(result.recovers()).isEqualTo(1);
    }

    @Test
    void aSegmentFileOfTheEarlierFormatStillVerifiesOnItsOwn() {
        // what Lockstep wrote before runs continued their file: <run>.2.jsonl, its own run id, naming <run>.jsonl
        TimelineWriter segment = TimelineWriter.create(
                dir, "run-old.2", operator, Redactor.defaults(), new SteppingClock(Instant.EPOCH, 10));
        segment.append(
                "open", "operator:alice@bastion-1", null, null, Map.of("run", "run-old", "continues", "run-old.jsonl"));
        segment.close(Map.of("state", "done", "exit_code", 0));

        VerifyResult result = TimelineVerifier.verify(dir.resolve("run-old.2.jsonl"), operator.publicKey());

        assertThat(result.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.runId()).isEqualTo("run-old.2");
        assertThat(result.resumes()).isZero();
    }

    private static int typeIndex(List<JsonNode> lines, String type, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).get("type").asText().equals(type)) {
                return i;
            }
        }
        throw new AssertionError("no " + type + " line");
    }
}
