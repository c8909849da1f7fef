package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every byte of a sealed file is covered, the final checkpoint's own members included (format 2), and the
 * shapes docs/timeline-format.md specifies for the edges (empty files, torn lines, crashes at the edges,
 * version 1 files) get the verdict it says.
 */
class SealedFileTest {

    @TempDir
    Path dir;

    private static final OperatorKey VECTOR_OPERATOR = OperatorKey.fromSeed(Hashing.fromHex(TestVector.OPERATOR_SEED));

    private byte[] vector() throws IOException {
        TestVector.generate(dir);
        return Files.readAllBytes(dir.resolve(TestVector.RUN + ".jsonl"));
    }

    private static VerifyResult verify(byte[] bytes) {
        return TimelineVerifier.verify(bytes, VECTOR_OPERATOR.publicKey());
    }

    @Test
    void noChangedByteAnywhereInASealedFileVerifiesComplete() throws IOException {
        byte[] original = vector();
        assertThat(verify(original).verdict()).isEqualTo(Verdict.COMPLETE);
        for (int i = 0; i < original.length; i++) {
            byte[] changed = original.clone();
            changed[i] = (byte) (changed[i] == 'A' ? 'B' : changed[i] == '\n' ? ' ' : 'A');
            if (changed[i] == original[i]) {
                changed[i] = 'Z';
            }
            VerifyResult result = verify(changed);
            assertThat(result.verdict())
                    .as("byte %d ('%c') changed: %s", i, (char) original[i], result.summary())
                    .isNotEqualTo(Verdict.COMPLETE);
        }
    }

    @Test
    void theFinalCheckpointsTimeAndActorAreSealedByItsSignature() throws IOException {
        List<String> lines = TimelineTamperTest.splitLines(vector());
        int last = lines.size() - 1;
        for (String[] edit : List.of(
                new String[] {"\"ts\":\"2026-11-20T01:00:00.800Z\"", "\"ts\":\"2031-11-20T01:00:00.800Z\""},
                new String[] {"\"actor\":\"system\"", "\"actor\":\"operator:mallory@nowhere\""},
                new String[] {"\"mono_ms\":800", "\"mono_ms\":801"})) {
            List<String> edited = TimelineEdits.copy(lines);
            edited.set(last, lines.get(last).replace(edit[0], edit[1]));
            assertThat(edited.get(last)).as(edit[0]).isNotEqualTo(lines.get(last));

            VerifyResult result = verify(TimelineEdits.join(edited));

            assertThat(result.verdict()).as(result.summary()).isEqualTo(Verdict.TAMPERED);
            assertThat(result.line()).isEqualTo(lines.size());
            assertThat(result.reason()).contains("checkpoint signature does not verify");
        }
    }

    @Test
    void aVersionOneFileStillVerifiesAndSaysItsLastCheckpointIsNotSealed() throws IOException {
        byte[] v1 = Files.readAllBytes(
                Path.of(System.getProperty("lockstep.repo.root"), "app/src/test/resources/timeline/vector-v1.jsonl"));

        VerifyResult result = verify(v1);

        assertThat(result.verdict()).as(result.summary()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.version()).isEqualTo(1);
        assertThat(result.summary()).contains("format 1");
        // what format 2 closed: in a version 1 file the final checkpoint's time is covered by nothing
        String text = new String(v1, StandardCharsets.UTF_8);
        byte[] moved = text.replace("\"ts\":\"2026-11-20T01:00:00.800Z\"", "\"ts\":\"2031-11-20T01:00:00.800Z\"")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(moved).isNotEqualTo(v1);
        assertThat(verify(moved).verdict()).isEqualTo(Verdict.COMPLETE);
    }

    @Test
    void oneVersionPerFile() throws IOException {
        List<String> lines = TimelineTamperTest.splitLines(vector());
        List<String> edited = TimelineEdits.copy(lines);
        edited.set(4, lines.get(4).replace("{\"v\":2,", "{\"v\":1,"));

        VerifyResult result = verify(TimelineEdits.join(edited));

        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(5);
        assertThat(result.reason()).contains("format version 1 differs from 2 of the first line");
    }

    @Test
    void aRecoverMustNameTheLineBeforeIt() throws IOException {
        List<String> lines = TimelineTamperTest.splitLines(vector());
        int recover = TimelineEdits.indexOf(lines, "\"type\":\"recover\"", 0);
        List<String> edited = TimelineEdits.copy(lines);
        edited.set(recover, lines.get(recover).replace("\"prior_last_seq\":7", "\"prior_last_seq\":6"));
        assertThat(edited.get(recover)).isNotEqualTo(lines.get(recover));
        TimelineEdits.renumberAndRechain(edited, recover + 1);

        VerifyResult result = verify(TimelineEdits.join(edited));

        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(recover + 1L);
        assertThat(result.reason()).contains("prior_last_seq");
    }

    @Test
    void theOpenRecordNamesTheOperatorKeyThatCertifiesTheSessionKeys() throws IOException {
        List<String> lines = TimelineTamperTest.splitLines(vector());
        OperatorKey other = OperatorKey.generate();
        List<String> edited = TimelineEdits.copy(lines);
        edited.set(0, lines.get(0).replace(VECTOR_OPERATOR.fingerprint(), other.fingerprint()));
        TimelineEdits.renumberAndRechain(edited, 1);

        VerifyResult result = verify(TimelineEdits.join(edited));

        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(2);
        assertThat(result.reason()).contains("the open record names " + other.fingerprint());
    }

    @Test
    void emptyFilesTornLinesAndLinesThatDoNotParseGetTheDocumentedVerdicts() throws IOException {
        List<String> lines = TimelineTamperTest.splitLines(vector());
        byte[] firstThree = TimelineEdits.join(lines.subList(0, 3));

        assertThat(verify(new byte[0]).verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(verify(new byte[0]).summary()).contains("no complete line");
        VerifyResult tornFirst = verify("{\"v\":2,\"run\":\"x\",\"se".getBytes(StandardCharsets.UTF_8));
        assertThat(tornFirst.verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(tornFirst.tornTailBytes()).isEqualTo(20);
        // a last line that does not parse is a torn tail ...
        byte[] garbledLast = concat(firstThree, "{\"v\":2,\"run\":\n".getBytes(StandardCharsets.UTF_8));
        assertThat(verify(garbledLast).verdict()).isEqualTo(Verdict.INCOMPLETE);
        // ... but not when anything follows it, not even a torn tail
        byte[] garbledThenTorn = concat(garbledLast, "{\"v\"".getBytes(StandardCharsets.UTF_8));
        VerifyResult result = verify(garbledThenTorn);
        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(4);
    }

    @Test
    void runsThatDiedAtTheEdgesVerifyCompleteOnceResumed() {
        for (Path file : EdgeShapes.all(dir, VECTOR_OPERATOR)) {
            VerifyResult result = TimelineVerifier.verify(file, VECTOR_OPERATOR.publicKey());
            assertThat(result.verdict()).as(file + ": " + result.summary()).isEqualTo(Verdict.COMPLETE);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
