package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.LockstepException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimelineWriterTest {
    @TempDir
    Path dir;

    final OperatorKey operator = OperatorKey.generate();
    static final ReopenedBy CAROL = new ReopenedBy("carol@bastion-2", 4242);

    @Test
    void timelineFileAndNewDirectoryAreOwnerOnly() throws IOException {
        Path timelines = dir.resolve("timeline");

        Path file = RealisticRun.write(timelines, "run-perm", operator);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(timelines)))
                .isEqualTo("rwx------");
        assertThat(file.getFileName().toString()).isEqualTo("run-perm.jsonl");
    }

    @Test
    void checkpointsFollowStepEndsApprovalsDecisionsBreachesAndEveryHundredLines() throws IOException {
        List<JsonNode> lines = read(RealisticRun.write(dir, "run-cp", operator));

        for (int i = 0; i < lines.size() - 1; i++) {
            String type = lines.get(i).get("type").asText();
            if (TimelineFormat.SEAL_AFTER.contains(type) || type.equals("close")) {
                assertThat(lines.get(i + 1).get("type").asText())
                        .as("line after %s", type)
                        .isEqualTo("checkpoint");
            }
        }
        long sinceCheckpoint = 0;
        for (JsonNode line : lines) {
            sinceCheckpoint = line.get("type").asText().equals("checkpoint") ? 0 : sinceCheckpoint + 1;
            assertThat(sinceCheckpoint).isLessThanOrEqualTo(TimelineFormat.CHECKPOINT_EVERY_LINES);
        }
        assertThat(lines.get(0).get("body").get("signed").asBoolean()).isTrue();
        assertThat(lines.get(1).get("type").asText()).isEqualTo("session_key");
        assertThat(lines.get(lines.size() - 1).get("body").get("final").asBoolean())
                .isTrue();
    }

    @Test
    void checkpointFollowsThirtySecondsWithoutOne() throws IOException {
        TimelineWriter writer = TimelineWriter.create(
                dir, "run-slow", operator, Redactor.defaults(), new SteppingClock(Instant.EPOCH, 16_000));
        writer.append("open", "operator:a", null, null, Map.of());
        writer.append("sample", "system", null, null, Map.of("lock_wait_seconds", 0));
        writer.append("sample", "system", null, null, Map.of("lock_wait_seconds", 0));

        List<JsonNode> lines = read(writer.file());

        assertThat(lines.get(lines.size() - 1).get("type").asText()).isEqualTo("checkpoint");
    }

    @Test
    void firstRecordMustBeOpenAndWriterOwnedTypesAreRefused() {
        TimelineWriter writer =
                TimelineWriter.create(dir, "run-x", operator, Redactor.defaults(), TimelineClock.system());

        assertThatThrownBy(() -> writer.append("note", "a", null, null, Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be open");
        assertThatThrownBy(() -> writer.append("checkpoint", "a", null, null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        writer.append("open", "engine", null, null, Map.of("runbook_id", "R"));
        assertThatThrownBy(() ->
                        TimelineWriter.create(dir, "run-x", operator, Redactor.defaults(), TimelineClock.system()))
                .isInstanceOf(LockstepException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(() ->
                        TimelineWriter.create(dir, "../evil", operator, Redactor.defaults(), TimelineClock.system()))
                .isInstanceOf(LockstepException.class)
                .hasMessageContaining("cannot name a timeline file");
    }

    @Test
    void aFileWhoseFirstProcessDiedBeforeItsOpenRecordIsStartedAfreshKeepingItsBytes() throws IOException {
        // given: the first process created the file and died while writing its open record
        Path file = dir.resolve("run-unopened.jsonl");
        Files.writeString(file, "{\"v\":1,\"run\":\"run-unop");
        assertThat(TimelineWriter.neverOpened(file)).isTrue();

        // when: the resuming process creates the run's timeline
        TimelineWriter writer =
                TimelineWriter.create(dir, "run-unopened", operator, Redactor.defaults(), TimelineClock.system());
        writer.append("open", "engine", null, null, Map.of("runbook_id", "R", "resumed", true));
        writer.close(Map.of("state", "done"));

        // then: one story from the open record on, which keeps what the dead process left
        String text = Files.readString(file);
        assertThat(text).startsWith("{\"v\":" + TimelineFormat.VERSION + ",\"run\":\"run-unopened\",\"seq\":0,");
        assertThat(text.lines().findFirst().orElseThrow())
                .contains("\"torn\":{\"base64\":\""
                        + java.util.Base64.getEncoder()
                                .encodeToString("{\"v\":1,\"run\":\"run-unop"
                                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(TimelineVerifier.verify(file, operator.publicKey()).verdict())
                .isEqualTo(Verdict.COMPLETE);
        assertThat(TimelineWriter.neverOpened(file)).isFalse();
    }

    @Test
    void reopenCutsATornLineKeepsItInTheRecoverRecordAndReportsStepsInDoubt() throws IOException {
        TimelineWriter writer = RealisticRun.start(dir, "run-torn", operator);
        writer.append("step_start", "system", "drop-legacy-default", 3, Map.of("kind", "sql"));
        String torn = "{\"v\":1,\"run\":\"run-torn\",\"seq\":999,\"type\":\"ba";
        Files.writeString(writer.file(), torn, StandardOpenOption.APPEND);
        assertThat(TimelineVerifier.verify(writer.file(), operator.publicKey()).tornTailBytes())
                .isEqualTo(torn.length());

        ReopenedTimeline reopened =
                TimelineWriter.reopen(writer.file(), operator, Redactor.defaults(), TimelineClock.system(), CAROL);

        assertThat(reopened.recovery().afterClose()).isFalse();
        assertThat(reopened.recovery().tornTailBytes()).isEqualTo(torn.length());
        assertThat(reopened.recovery().stepsInDoubt())
                .extracting(StepInDoubt::step, StepInDoubt::attempt)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("backfill", 1),
                        org.assertj.core.groups.Tuple.tuple("drop-legacy-default", 3));
        reopened.writer()
                .append(
                        "decision",
                        "operator:alice",
                        "drop-legacy-default",
                        3,
                        Map.of("what", "retry", "by", "alice", "reason", "not applied: column default still there"));
        reopened.writer().close(Map.of("state", "done", "exit_code", 0));
        List<JsonNode> lines = read(writer.file());
        JsonNode recover = lines.stream()
                .filter(l -> l.get("type").asText().equals("recover"))
                .findFirst()
                .orElseThrow();
        assertThat(new String(
                        Hashing.fromBase64(
                                recover.get("body").get("torn").get("base64").asText()),
                        StandardCharsets.UTF_8))
                .isEqualTo(torn);
        assertThat(recover.get("body").get("prior_last_seq").asLong())
                .isEqualTo(reopened.recovery().lastSeq());
        assertThat(recover.get("body").get("after").asText()).isEqualTo("crash");
        assertThat(recover.get("body").get("operator").asText()).isEqualTo("carol@bastion-2");
        assertThat(recover.get("body").get("pid").asLong()).isEqualTo(4242);
        assertThat(recover.get("actor").asText()).isEqualTo("operator:carol@bastion-2");
        assertThat(lines.get((int) recover.get("seq").asLong() + 1).get("type").asText())
                .isEqualTo("session_key");
        VerifyResult result = TimelineVerifier.verify(writer.file(), operator.publicKey());
        assertThat(result.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.recovers()).isEqualTo(1);
        assertThat(result.resumes()).isZero();
    }

    @Test
    void reopenRefusesAnotherOperatorTheWrongSigningModeAndATamperedFile() throws IOException {
        Path closed = RealisticRun.write(dir, "run-closed", operator);
        OperatorKey other = OperatorKey.generate();
        assertThatThrownBy(
                        () -> TimelineWriter.reopen(closed, other, Redactor.defaults(), TimelineClock.system(), CAROL))
                .isInstanceOf(LockstepException.class)
                .hasMessageContaining("is signed by operator key " + operator.fingerprint())
                .hasMessageContaining("not by this operator key " + other.fingerprint())
                .extracting(e -> ((LockstepException) e).exitCode())
                .isEqualTo(dev.lockstep.ExitCode.USAGE);
        assertThatThrownBy(
                        () -> TimelineWriter.reopenUnsigned(closed, Redactor.defaults(), TimelineClock.system(), CAROL))
                .hasMessageContaining("resume it with the operator key");
        TimelineWriter open = RealisticRun.start(dir, "run-open", operator);
        assertThatThrownBy(() -> TimelineWriter.reopen(
                        open.file(), OperatorKey.generate(), Redactor.defaults(), TimelineClock.system(), CAROL))
                .hasMessageContaining("not by this operator");
        byte[] bytes = Files.readAllBytes(open.file());
        String text = new String(bytes, StandardCharsets.UTF_8).replaceFirst("\"by\":\"bob\"", "\"by\":\"eve\"");
        Files.writeString(open.file(), text);
        assertThatThrownBy(() -> TimelineWriter.reopen(
                        open.file(), operator, Redactor.defaults(), TimelineClock.system(), CAROL))
                .isInstanceOf(LockstepException.class)
                .hasMessageContaining("TAMPERED");
    }

    @Test
    void unsignedRunIsRecordedAsSuchAndVerifiesUnsigned() throws IOException {
        Path file = RealisticRun.write(dir, "run-unsigned", null);

        List<JsonNode> lines = read(file);
        VerifyResult result = TimelineVerifier.verify(file, operator.publicKey());

        assertThat(lines.get(0).get("body").get("signed").asBoolean()).isFalse();
        assertThat(lines).noneMatch(line -> line.get("type").asText().equals("session_key"));
        assertThat(result.verdict()).isEqualTo(Verdict.UNSIGNED);
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.summary()).startsWith("UNSIGNED").contains("--unsigned");
    }

    static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lines.add(TimelineJson.MAPPER.readTree(line));
        }
        return lines;
    }
}
