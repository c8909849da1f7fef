package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What verify refuses about a close in the middle of a file: anything but a resume after it, a resume that
 * follows no close, a first part swapped for another run's, a session key that is not freshly certified by
 * this operator, and a close that was taken out.
 */
class StopAndResumeTamperTest {
    static final String RUN = "run-sr";
    static OperatorKey operator;
    static OperatorKey intruder;
    static KeyPair firstSession;
    static KeyPair secondSession;
    static List<String> lines;
    static int closeAt;
    static int finalAt;
    static int resumeAt;
    static int sessionKeyAt;

    @BeforeAll
    static void writeStoppedAndResumedRun(@TempDir Path dir) {
        operator = OperatorKey.generate();
        intruder = OperatorKey.generate();
        firstSession = Ed25519.generate();
        secondSession = Ed25519.generate();
        lines = TimelineEdits.lines(stoppedAndResumed(dir, RUN, "first", () -> firstSession, () -> secondSession));
        closeAt = TimelineEdits.indexOf(lines, "\"type\":\"close\"", 0);
        finalAt = closeAt + 1;
        resumeAt = closeAt + 2;
        sessionKeyAt = closeAt + 3;
        assertThat(lines.get(finalAt)).contains("\"final\":true");
        assertThat(lines.get(resumeAt)).contains("\"type\":\"recover\"").contains("\"after\":\"close\"");
        assertThat(lines.get(sessionKeyAt)).contains("\"type\":\"session_key\"");
    }

    static Path stoppedAndResumed(
            Path dir, String runId, String tag, Supplier<KeyPair> first, Supplier<KeyPair> second) {
        return stoppedAndResumedBy(operator, dir, runId, tag, first, second);
    }

    /** open, a backfill step stopped by SIGINT, resumed by carol, the step ends, close. */
    static Path stoppedAndResumedBy(
            OperatorKey operator,
            Path dir,
            String runId,
            String tag,
            Supplier<KeyPair> first,
            Supplier<KeyPair> second) {
        Path sub = dir.resolve(tag);
        TimelineWriter writer = TimelineWriter.create(
                sub,
                runId,
                operator,
                Redactor.defaults(),
                new SteppingClock(Instant.parse("2026-11-20T22:00:00Z"), 250),
                first);
        writer.append("open", "operator:alice@bastion-1", null, null, Map.of("runbook_id", "CHG-" + tag));
        writer.append("step_start", "engine", "fill", 1, Map.of("kind", "backfill"));
        writer.record("batch", "engine", "fill", 1, Map.of("rows", 1000, "tag", tag));
        StopAndResumeTest.stop(writer, "stopped at step fill: SIGINT received");
        TimelineWriter resumed = TimelineWriter.reopen(
                        writer.file(),
                        operator,
                        Redactor.defaults(),
                        new SteppingClock(Instant.parse("2026-11-21T08:00:00Z"), 250),
                        StopAndResumeTest.CAROL,
                        second)
                .writer();
        resumed.append("step_start", "engine", "fill", 2, Map.of("kind", "backfill"));
        resumed.append("step_end", "engine", "fill", 2, Map.of("result", "ok", "rows", 9000));
        resumed.close(Map.of("state", "done", "exit_code", 0));
        return writer.file();
    }

    @Test
    void untouchedItIsCompleteWithOneResume() {
        VerifyResult result = verify(lines);

        assertThat(result.verdict()).as(result.summary()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.resumes()).isEqualTo(1);
        assertThat(result.sessionKeys()).isEqualTo(2);
    }

    @Test
    void theFirstPartReplacedByAnotherStoppedRunOfTheSameIdBreaksTheChainAtTheResume(@TempDir Path dir) {
        // another run with the same id and shape, stopped at the same line: only its content differs
        List<String> other =
                TimelineEdits.lines(stoppedAndResumed(dir, RUN, "other", Ed25519::generate, Ed25519::generate));
        assertThat(TimelineEdits.indexOf(other, "\"type\":\"close\"", 0)).isEqualTo(closeAt);
        List<String> edited = TimelineEdits.copy(other.subList(0, resumeAt));
        edited.addAll(lines.subList(resumeAt, lines.size()));
        assertThat(edited).isNotEqualTo(lines);

        VerifyResult result = verify(edited);

        assertTampered(result, resumeAt, "prev is not the SHA-256 of line " + (finalAt + 1));

        // and a forger who rebuilds the chain meets the certificate, which binds the prev it was made for
        TimelineEdits.renumberAndRechain(edited, resumeAt);
        assertTampered(verify(edited), sessionKeyAt, "session key certificate signature does not verify");
    }

    @Test
    void theFirstPartReplacedByAnotherRunsTimelineIsAnotherRunId(@TempDir Path dir) {
        List<String> other =
                TimelineEdits.lines(stoppedAndResumed(dir, "run-other", "other", Ed25519::generate, Ed25519::generate));
        List<String> edited = TimelineEdits.copy(other.subList(0, resumeAt));
        edited.addAll(lines.subList(resumeAt, lines.size()));

        assertTampered(verify(edited), resumeAt, "run id " + RUN + " differs from run-other");
    }

    @Test
    void linesAfterACloseWithoutAResumeAndANewSessionKeyAreRefused() {
        // the resume record and the session key taken out, the rest renumbered and rechained
        List<String> withoutBoth = TimelineEdits.copy(lines);
        withoutBoth.subList(resumeAt, sessionKeyAt + 1).clear();
        TimelineEdits.renumberAndRechain(withoutBoth, resumeAt);

        assertTampered(verify(withoutBoth), resumeAt, "a line after the final checkpoint");

        // the resume record kept, the session key taken out
        List<String> withoutKey = TimelineEdits.copy(lines);
        withoutKey.remove(sessionKeyAt);
        TimelineEdits.renumberAndRechain(withoutKey, sessionKeyAt);

        assertTampered(verify(withoutKey), sessionKeyAt, "where the session key certificate was expected");
    }

    @Test
    void theResumedPartsSessionKeyCertifiedByAnotherOperatorKeyIsRefused() {
        List<String> edited = TimelineEdits.copy(lines);
        edited.set(sessionKeyAt, TimelineEdits.recertified(lines.get(sessionKeyAt), intruder, intruder.publicKey()));

        assertTampered(verify(edited), sessionKeyAt, "not by this operator: certified by " + intruder.fingerprint());
        // with the intruder's public key, the first part is the one not by this operator
        assertThat(TimelineVerifier.verify(TimelineEdits.join(edited), intruder.publicKey())
                        .line())
                .isEqualTo(2L);
    }

    @Test
    void aCertificateNamingThisOperatorButSignedByAnotherDoesNotVerify() {
        List<String> edited = TimelineEdits.copy(lines);
        edited.set(sessionKeyAt, TimelineEdits.recertified(lines.get(sessionKeyAt), intruder, operator.publicKey()));

        assertTampered(verify(edited), sessionKeyAt, "signature does not verify under operator key");
    }

    @Test
    void theCloseRecordTakenOutOfTheMiddleIsRefused() {
        List<String> edited = TimelineEdits.copy(lines);
        edited.remove(closeAt);

        assertTampered(verify(edited), closeAt, "seq " + finalAt + " where " + closeAt + " was expected");

        // a forger who renumbers, rechains and recomputes every root still has a final checkpoint without close
        TimelineEdits.renumberAndRechain(edited, closeAt);
        TimelineEdits.resealRoots(edited, closeAt);
        assertTampered(verify(edited), closeAt, "a final checkpoint that does not follow the close record");
    }

    @Test
    void aDiscardedSessionKeyCertifiedAgainIsRefused(@TempDir Path dir) {
        // a writer that certifies the first session's key again when it resumes
        KeyPair reused = Ed25519.generate();
        List<String> edited = TimelineEdits.lines(stoppedAndResumed(dir, RUN, "reuse", () -> reused, () -> reused));

        assertTampered(verify(edited), sessionKeyAt, "was already certified at seq 1");
    }

    @Test
    void aCrashRecoverRightAfterAFinalCheckpointIsRefused() {
        List<String> edited = TimelineEdits.copy(lines);
        edited.set(resumeAt, lines.get(resumeAt).replace("\"after\":\"close\"", "\"after\":\"crash\""));

        assertTampered(verify(edited), resumeAt, "a line after the final checkpoint");
    }

    @Test
    void aResumeWhereTheRunWasNotClosedIsRefused(@TempDir Path dir) {
        // a crash recovery relabelled as a resume after a clean stop
        TimelineWriter writer =
                TimelineWriter.create(dir, RUN, operator, Redactor.defaults(), new SteppingClock(Instant.EPOCH, 10));
        writer.append("open", "operator:alice@bastion-1", null, null, Map.of());
        writer.append("step_start", "engine", "fill", 1, Map.of("kind", "backfill"));
        TimelineWriter.reopen(
                        writer.file(), operator, Redactor.defaults(), TimelineClock.system(), StopAndResumeTest.CAROL)
                .writer()
                .close(Map.of("state", "done", "exit_code", 0));
        List<String> crashed = TimelineEdits.lines(writer.file());
        int recoverAt = TimelineEdits.indexOf(crashed, "\"type\":\"recover\"", 0);
        List<String> edited = TimelineEdits.copy(crashed);
        edited.set(recoverAt, crashed.get(recoverAt).replace("\"after\":\"crash\"", "\"after\":\"close\""));
        assertThat(edited).isNotEqualTo(crashed);

        assertTampered(verify(edited), recoverAt, "does not follow a final checkpoint");
    }

    @Test
    void rewritingTheFirstPartNeedsItsDiscardedSessionKeyEvenWithTheOperatorKey() {
        // The forger holds the operator key and the resumed part's session key, but not the first part's,
        // which was dropped at its close: he changes a line before the stop, rebuilds every root, certifies
        // the second session key again and re-signs its checkpoints.
        List<String> edited = TimelineEdits.copy(lines);
        int batch = TimelineEdits.indexOf(lines, "\"type\":\"batch\"", 0);
        edited.set(batch, lines.get(batch).replace("\"rows\":1000", "\"rows\":10"));
        TimelineEdits.resealRoots(edited, batch);
        edited.set(sessionKeyAt, TimelineEdits.recertified(edited.get(sessionKeyAt), operator, operator.publicKey()));
        TimelineEdits.resealRoots(edited, sessionKeyAt + 1);
        for (int i = sessionKeyAt + 1; i < edited.size(); i++) {
            if (edited.get(i).contains("\"type\":\"checkpoint\"")) {
                edited.set(i, signedBySecondSession(edited.get(i)));
                TimelineEdits.resealRoots(edited, i + 1);
            }
        }

        VerifyResult result = verify(edited);

        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).as(result.summary()).isEqualTo(finalAt + 1L);
        assertThat(result.reason()).contains("checkpoint signature does not verify");
    }

    private static String signedBySecondSession(String checkpointLine) {
        return TimelineEdits.signedCheckpoint(TimelineEdits.parse(checkpointLine), secondSession.getPrivate());
    }

    private static VerifyResult verify(List<String> edited) {
        return TimelineVerifier.verify(TimelineEdits.join(edited), operator.publicKey());
    }

    /** TAMPERED at the line of index {@code index} (1-based line {@code index + 1}) for the given reason. */
    private static void assertTampered(VerifyResult result, int index, String reason) {
        assertThat(result.verdict()).as(result.summary()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.exitCode()).isEqualTo(6);
        assertThat(result.line()).as(result.summary()).isEqualTo(index + 1L);
        assertThat(result.reason()).contains(reason);
    }
}
