package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/reference-verifier.py, the independent verifier written from the format page alone, accepts what
 * Lockstep writes (the published vector, runs stopped and resumed, crashed and recovered, unsigned) and
 * refuses the same forgeries around a stop that {@link TimelineVerifier} refuses. Needs python3 with the
 * {@code cryptography} package (.ci/run installs it).
 */
class ReferenceVerifierTest {
    static final Path SCRIPT = Path.of(System.getProperty("lockstep.repo.root"), "docs", "reference-verifier.py");

    @TempDir
    static Path dir;

    static OperatorKey operator;
    static Path publicKey;

    /** The first python3 that has the cryptography package: the one on PATH (pyenv here), else Debian's. */
    static String python;

    @BeforeAll
    static void pythonWithCryptography() throws Exception {
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            try {
                Process probe = new ProcessBuilder(candidate, "-c", "import cryptography")
                        .redirectErrorStream(true)
                        .start();
                if (probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                    python = candidate;
                    break;
                }
            } catch (IOException e) {
                // not installed here: try the next one
            }
        }
        assumeTrue(python != null, "no python3 with the cryptography package (.ci/run installs python3-cryptography)");
        operator = OperatorKey.generate();
        operator.save(dir.resolve("operator.key"));
        publicKey = dir.resolve("operator.key.pub");
    }

    @Test
    void acceptsThePublishedVector() throws Exception {
        String docs = Files.readString(SCRIPT.resolveSibling("timeline-format.md"));
        String vector = docs.substring(docs.indexOf("lines (each ends"), docs.indexOf("SHA-256 of each line"));
        StringBuilder lines = new StringBuilder();
        vector.lines().filter(line -> line.startsWith("{")).forEach(line -> lines.append(line)
                .append('\n'));
        Path file = Files.writeString(dir.resolve("vector.jsonl"), lines, StandardCharsets.UTF_8);
        Path vectorKey = dir.resolve("vector.key");
        OperatorKey.fromSeed(Hashing.fromHex(TestVector.OPERATOR_SEED)).save(vectorKey);

        Result result = run(file, dir.resolve("vector.key.pub"));

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("OK 14 lines, format 2, 1 resumes, signed");
    }

    @Test
    void acceptsAVersionOneFile() throws Exception {
        Path file =
                Path.of(System.getProperty("lockstep.repo.root"), "app/src/test/resources/timeline/vector-v1.jsonl");
        OperatorKey.fromSeed(Hashing.fromHex(TestVector.OPERATOR_SEED)).save(dir.resolve("v1.key"));

        Result result = run(file, dir.resolve("v1.key.pub"));

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("OK 14 lines, format 1, 1 resumes, signed");
    }

    @Test
    void acceptsRunsThatDiedAtTheEdgesAndWereResumed() throws Exception {
        for (Path file : EdgeShapes.all(Files.createDirectories(dir.resolve("edges")), operator)) {
            assertThat(TimelineVerifier.verify(file, operator.publicKey()).verdict())
                    .isEqualTo(Verdict.COMPLETE);

            Result result = run(file, publicKey);

            assertThat(result.exit()).as(file + ": " + result.output()).isZero();
        }
    }

    @Test
    void refusesAnyChangeToTheFinalCheckpointLine() throws Exception {
        TestVector.generate(dir.resolve("sealed"));
        List<String> lines = TimelineEdits.lines(dir.resolve("sealed").resolve(TestVector.RUN + ".jsonl"));
        OperatorKey.fromSeed(Hashing.fromHex(TestVector.OPERATOR_SEED)).save(dir.resolve("sealed.key"));
        int last = lines.size() - 1;
        List<String> movedInTime = TimelineEdits.copy(lines);
        movedInTime.set(last, lines.get(last).replace("\"ts\":\"2026-", "\"ts\":\"2031-"));
        List<String> otherActor = TimelineEdits.copy(lines);
        otherActor.set(last, lines.get(last).replace("\"actor\":\"system\"", "\"actor\":\"operator:x@y\""));
        List<String> respelledSignature = TimelineEdits.copy(lines);
        respelledSignature.set(last, respelledSignature(lines.get(last)));

        for (List<String> edited : List.of(movedInTime, otherActor, respelledSignature)) {
            assertThat(edited.get(last)).isNotEqualTo(lines.get(last));
            assertThat(TimelineVerifier.verify(
                                    TimelineEdits.join(edited),
                                    OperatorKey.fromSeed(Hashing.fromHex(TestVector.OPERATOR_SEED))
                                            .publicKey())
                            .verdict())
                    .isEqualTo(Verdict.TAMPERED);
            Result result = run(write("final-" + edited.hashCode(), edited), dir.resolve("sealed.key.pub"));
            assertThat(result.exit()).as(result.output()).isNotZero();
            assertThat(result.output()).doesNotContain("OK");
        }
    }

    @Test
    void acceptsARunStoppedTwiceResumedAndRecoveredFromACrash() throws Exception {
        Path file = StopAndResumeTest.startAndStop(dir, "run-py", operator).file();
        TimelineWriter second = StopAndResumeTest.resume(file, operator, StopAndResumeTest.CAROL);
        second.append("step_start", "engine", "fill", 2, Map.of("kind", "backfill"));
        StopAndResumeTest.stop(second, "paused by stop criterion app-errors, unattended");
        TimelineWriter third = StopAndResumeTest.resume(file, operator, StopAndResumeTest.DAVE);
        third.append("step_start", "engine", "fill", 3, Map.of("kind", "backfill"));
        // a crash: the writer is abandoned unclosed, and the next process reopens the file
        TimelineWriter fourth = StopAndResumeTest.resume(file, operator, StopAndResumeTest.CAROL);
        fourth.append("step_end", "engine", "fill", 3, Map.of("result", "ok"));
        fourth.close(Map.of("state", "done", "exit_code", 0));
        assertThat(TimelineVerifier.verify(file, operator.publicKey()).summary())
                .startsWith("COMPLETE")
                .contains("stopped and resumed 2 times, reopened after a crash");

        Result result = run(file, publicKey);

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains(", 2 resumes, signed");
    }

    @Test
    void acceptsAnUnsignedRunStoppedAndResumed() throws Exception {
        Path file = StopAndResumeTest.startAndStop(dir, "run-py-unsigned", null).file();
        StopAndResumeTest.resume(file, null, StopAndResumeTest.CAROL).close(Map.of("state", "done", "exit_code", 0));

        Result result = run(file, null);

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("1 resumes, UNSIGNED");
    }

    @Test
    void refusesWhatLockstepVerifyCallsTamperedAroundAStop() throws Exception {
        KeyPair reused = Ed25519.generate();
        List<String> lines = TimelineEdits.lines(StopAndResumeTamperTest.stoppedAndResumedBy(
                operator, dir, "run-py-t", "t", Ed25519::generate, Ed25519::generate));
        int closeAt = TimelineEdits.indexOf(lines, "\"type\":\"close\"", 0);
        int resumeAt = closeAt + 2;
        int sessionKeyAt = closeAt + 3;
        assertThat(run(write("untouched", lines), publicKey).exit()).isZero();

        List<List<String>> forgeries = new ArrayList<>();
        List<String> withoutResume = TimelineEdits.copy(lines);
        withoutResume.subList(resumeAt, sessionKeyAt + 1).clear();
        TimelineEdits.renumberAndRechain(withoutResume, resumeAt);
        forgeries.add(withoutResume);
        List<String> withoutKey = TimelineEdits.copy(lines);
        withoutKey.remove(sessionKeyAt);
        TimelineEdits.renumberAndRechain(withoutKey, sessionKeyAt);
        forgeries.add(withoutKey);
        List<String> otherOperator = TimelineEdits.copy(lines);
        OperatorKey intruder = OperatorKey.generate();
        otherOperator.set(
                sessionKeyAt, TimelineEdits.recertified(lines.get(sessionKeyAt), intruder, intruder.publicKey()));
        TimelineEdits.renumberAndRechain(otherOperator, sessionKeyAt + 1);
        TimelineEdits.resealRoots(otherOperator, sessionKeyAt + 1);
        forgeries.add(otherOperator);
        List<String> withoutClose = TimelineEdits.copy(lines);
        withoutClose.remove(closeAt);
        TimelineEdits.renumberAndRechain(withoutClose, closeAt);
        TimelineEdits.resealRoots(withoutClose, closeAt);
        forgeries.add(withoutClose);
        forgeries.add(TimelineEdits.lines(StopAndResumeTamperTest.stoppedAndResumedBy(
                operator, dir, "run-py-reuse", "reuse", () -> reused, () -> reused)));
        List<String> truncated = TimelineEdits.copy(lines.subList(0, lines.size() - 3));
        forgeries.add(truncated);

        for (int i = 0; i < forgeries.size(); i++) {
            assertThat(forgeries.get(i)).isNotEqualTo(lines);
            assertThat(TimelineVerifier.verify(TimelineEdits.join(forgeries.get(i)), operator.publicKey())
                            .verdict())
                    .as("lockstep verify of forgery %d", i)
                    .isIn(Verdict.TAMPERED, Verdict.INCOMPLETE);
            Result result = run(write("forgery-" + i, forgeries.get(i)), publicKey);
            assertThat(result.exit()).as("forgery %d: %s", i, result.output()).isNotZero();
            assertThat(result.output()).as("forgery %d", i).doesNotContain("OK");
        }
    }

    /**
     * The line with its signature spelled differently in base64 (an unused low bit of the last character set):
     * the same 64 bytes, another text. A version 2 checkpoint signs its line with the signature's value left
     * empty, so only a verifier that insists on the canonical spelling refuses it.
     */
    private static String respelledSignature(String line) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        int at = line.indexOf("==\"", line.indexOf("\"sig\":\"")) - 1;
        char respelled = alphabet.charAt(alphabet.indexOf(line.charAt(at)) ^ 1);
        String edited = line.substring(0, at) + respelled + line.substring(at + 1);
        assertThat(java.util.Base64.getDecoder().decode(edited.substring(at - 85, at + 3)))
                .as("the same signature bytes")
                .isEqualTo(java.util.Base64.getDecoder().decode(line.substring(at - 85, at + 3)));
        return edited;
    }

    private static Path write(String name, List<String> lines) throws IOException {
        return Files.write(dir.resolve(name + ".jsonl"), TimelineEdits.join(lines));
    }

    private record Result(int exit, String output) {}

    private static Result run(Path timeline, Path key) throws Exception {
        List<String> command = new ArrayList<>(List.of(python, SCRIPT.toString(), timeline.toString()));
        if (key != null) {
            command.add(key.toString());
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(
                process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
