package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of tampering on a realistic run gives the right verdict and names the line. */
class TimelineTamperTest {
    static OperatorKey operator;
    static OperatorKey intruder;
    static byte[] original;
    static List<String> lines;

    @BeforeAll
    static void writeRun(@TempDir Path dir) throws IOException {
        operator = OperatorKey.generate();
        intruder = OperatorKey.generate();
        original = Files.readAllBytes(RealisticRun.write(dir, "run-1", operator));
        lines = splitLines(original);
    }

    @Test
    void untouchedRunIsComplete() {
        VerifyResult result = verify(original);

        assertThat(result.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.exitCode()).isZero();
        assertThat(result.lines()).isEqualTo(lines.size());
        assertThat(result.operatorFingerprint()).isEqualTo(operator.fingerprint());
        assertThat(result.summary()).startsWith("COMPLETE: run run-1");
    }

    @Test
    void oneByteChangedInASealedLineNamesIt() {
        int index = indexOf("\"type\":\"batch\"", 0);
        byte[] tampered = original.clone();
        int offset = offsetOf(index) + lines.get(index).indexOf("\"rows\":1000") + "\"rows\":".length();
        tampered[offset] = '9';

        VerifyResult result = verify(tampered);

        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.exitCode()).isEqualTo(6);
        assertThat(result.line()).isEqualTo(index + 2L);
        assertThat(result.reason()).contains("line " + (index + 1) + " ").contains("was changed");
    }

    @Test
    void aDeletedLineIsMissed() {
        List<String> edited = new ArrayList<>(lines);
        edited.remove(10);

        VerifyResult result = verify(join(edited));

        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(11L);
        assertThat(result.reason()).contains("seq 11 where 10 was expected").contains("missing");
    }

    @Test
    void twoSwappedLinesAreOutOfOrder() {
        List<String> edited = new ArrayList<>(lines);
        edited.set(12, lines.get(13));
        edited.set(13, lines.get(12));

        VerifyResult result = verify(join(edited));

        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(13L);
        assertThat(result.reason()).contains("seq 13 where 12 was expected");
    }

    @Test
    void anInsertedLineIsFound() throws IOException {
        // A forged decision with the right seq and prev: it breaks the seq and chain of the line after it.
        ObjectNode forged = (ObjectNode) TimelineJson.MAPPER.readTree(lines.get(20));
        forged.put("type", "decision");
        forged.put("seq", 20);
        forged.put("prev", Hashing.hex(Hashing.sha256(lines.get(19).getBytes(StandardCharsets.UTF_8))));
        List<String> edited = new ArrayList<>(lines);
        edited.add(20, TimelineJson.MAPPER.writeValueAsString(forged) + "\n");

        VerifyResult result = verify(join(edited));

        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(22L);
        assertThat(result.reason()).contains("seq 20 where 21 was expected");
    }

    @Test
    void aChangedLineWithARebuiltChainFailsTheCheckpointRoot() throws IOException {
        int index = indexOf("\"type\":\"approval\"", 0);
        List<String> edited = new ArrayList<>(lines);
        edited.set(index, lines.get(index).replace("\"by\":\"bob\"", "\"by\":\"eve\""));
        rechain(edited, index + 1);

        VerifyResult result = verify(join(edited));

        int checkpoint = indexOf("\"type\":\"checkpoint\"", index);
        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(checkpoint + 1L);
        assertThat(result.reason()).contains("checkpoint root does not match").contains(" and " + (checkpoint - 1));
    }

    @Test
    void tailTruncatedAtALineBoundaryIsIncomplete() {
        List<String> edited = new ArrayList<>(lines.subList(0, lines.size() - 5));

        VerifyResult result = verify(join(edited));

        int lastCheckpoint = lastIndexOf("\"type\":\"checkpoint\"", edited);
        assertThat(result.verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.lastSealedSeq()).isEqualTo(lastCheckpoint - 1L);
        assertThat(result.unsealedLines()).isEqualTo(edited.size() - 1L - lastCheckpoint);
        assertThat(result.summary()).contains("last sealed seq " + (lastCheckpoint - 1));
    }

    @Test
    void tailTruncatedInsideALineIsIncompleteWithATornTail() {
        byte[] truncated = Arrays.copyOf(original, original.length - 30);

        VerifyResult result = verify(truncated);

        assertThat(result.verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(result.tornTailBytes()).isEqualTo(lines.get(lines.size() - 1).length() - 30);
        assertThat(result.lines()).isEqualTo(lines.size() - 1L);
        assertThat(result.summary()).contains("torn last line");
    }

    @Test
    void aReplacedSignatureOnTheFinalCheckpointIsRefused() throws IOException {
        int last = lines.size() - 1;
        List<String> edited = new ArrayList<>(lines);
        edited.set(last, withFlippedSignature(lines.get(last)));

        VerifyResult result = verify(join(edited));

        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(lines.size());
        assertThat(result.reason()).contains("checkpoint signature does not verify");
    }

    @Test
    void aReplacedSignatureOnAnEarlierCheckpointIsCaughtByTheNextSealEvenWithARebuiltChain() throws IOException {
        int index = indexOf("\"type\":\"checkpoint\"", 5);
        List<String> edited = new ArrayList<>(lines);
        edited.set(index, withFlippedSignature(lines.get(index)));
        rechain(edited, index + 1);

        VerifyResult result = verify(join(edited));

        int next = indexOf("\"type\":\"checkpoint\"", index + 1);
        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(next + 1L);
        assertThat(result.reason()).contains("a line between seq").contains(" and " + (next - 1));
    }

    private static String withFlippedSignature(String line) throws IOException {
        ObjectNode checkpoint = (ObjectNode) TimelineJson.MAPPER.readTree(line);
        byte[] signature = Hashing.fromBase64(checkpoint.get("body").get("sig").asText());
        signature[5] ^= 1;
        ((ObjectNode) checkpoint.get("body")).put("sig", Hashing.base64(signature));
        return TimelineJson.MAPPER.writeValueAsString(checkpoint) + "\n";
    }

    @Test
    void checkpointsResignedWithAnotherKeyAreRefused() throws IOException {
        // The forger changes a line, rebuilds chain and roots, and signs with a session key of his own.
        List<String> edited = new ArrayList<>(lines);
        int changed = indexOf("\"type\":\"decision\"", 0);
        edited.set(changed, lines.get(changed).replace("\"what\":\"resume\"", "\"what\":\"abort\""));
        java.security.KeyPair forgedSession = Ed25519.generate();
        resealFrom(edited, 0, forgedSession);

        VerifyResult result = verify(join(edited));

        int firstCheckpoint = indexOf("\"type\":\"checkpoint\"", 0);
        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(firstCheckpoint + 1L);
        assertThat(result.reason()).contains("not by the certified session key");
    }

    @Test
    void aWholeFileSignedByAnotherOperatorIsRefused(@TempDir Path dir) throws IOException {
        byte[] forged = Files.readAllBytes(RealisticRun.write(dir, "run-1", intruder));

        VerifyResult result = verify(forged);

        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(2L);
        assertThat(result.reason())
                .contains("not by this operator")
                .contains(intruder.fingerprint())
                .contains(operator.fingerprint());
    }

    @Test
    void aLineAppendedAfterTheFinalCheckpointIsRefused() throws IOException {
        ObjectNode extra = (ObjectNode) TimelineJson.MAPPER.readTree(lines.get(lines.size() - 3));
        extra.put("seq", lines.size());
        extra.put("prev", Hashing.hex(Hashing.sha256(lines.get(lines.size() - 1).getBytes(StandardCharsets.UTF_8))));
        List<String> edited = new ArrayList<>(lines);
        edited.add(TimelineJson.MAPPER.writeValueAsString(extra) + "\n");

        VerifyResult result = verify(join(edited));

        assertThat(result.verdict()).isEqualTo(Verdict.TAMPERED);
        assertThat(result.line()).isEqualTo(lines.size() + 1L);
        assertThat(result.reason()).contains("after the final checkpoint");
    }

    @Test
    void withoutAPublicKeyTheResultSaysSignaturesWereNotChecked() {
        VerifyResult result = TimelineVerifier.verify(original, null);

        assertThat(result.verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(result.signaturesChecked()).isFalse();
        assertThat(result.summary()).contains("signatures not checked");
    }

    private static VerifyResult verify(byte[] bytes) {
        return TimelineVerifier.verify(bytes, operator.publicKey());
    }

    /** Recomputes prev from {@code from} on, as a forger who knows the format would. */
    private static void rechain(List<String> edited, int from) throws IOException {
        for (int i = Math.max(from, 1); i < edited.size(); i++) {
            ObjectNode line = (ObjectNode) TimelineJson.MAPPER.readTree(edited.get(i));
            line.put("prev", Hashing.hex(Hashing.sha256(edited.get(i - 1).getBytes(StandardCharsets.UTF_8))));
            edited.set(i, TimelineJson.MAPPER.writeValueAsString(line) + "\n");
        }
    }

    /** Rebuilds prev, roots and checkpoint signatures with the forger's session key. */
    private static void resealFrom(List<String> edited, int from, java.security.KeyPair session) throws IOException {
        MerkleTree tree = new MerkleTree();
        String prev = TimelineFormat.genesisPrev("run-1");
        String sessionKey = Hashing.base64(Ed25519.rawPublic(session.getPublic()));
        for (int i = 0; i < edited.size(); i++) {
            ObjectNode line = (ObjectNode) TimelineJson.MAPPER.readTree(edited.get(i));
            line.put("prev", prev);
            JsonNode body = line.get("body");
            if (i >= from && line.get("type").asText().equals("checkpoint")) {
                String root = Hashing.hex(tree.root());
                boolean last = body.get("final").asBoolean();
                ((ObjectNode) body).put("root", root);
                ((ObjectNode) body).put("key", sessionKey);
                TimelineEdits.signedCheckpoint(line, session.getPrivate());
            }
            String text = TimelineJson.MAPPER.writeValueAsString(line) + "\n";
            edited.set(i, text);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            tree.append(bytes);
            prev = Hashing.hex(Hashing.sha256(bytes));
        }
    }

    private static int indexOf(String needle, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).contains(needle)) {
                return i;
            }
        }
        throw new AssertionError("no line with " + needle);
    }

    private static int lastIndexOf(String needle, List<String> in) {
        for (int i = in.size() - 1; i >= 0; i--) {
            if (in.get(i).contains(needle)) {
                return i;
            }
        }
        throw new AssertionError("no line with " + needle);
    }

    private static int offsetOf(int index) {
        int offset = 0;
        for (int i = 0; i < index; i++) {
            offset += lines.get(i).getBytes(StandardCharsets.UTF_8).length;
        }
        return offset;
    }

    static List<String> splitLines(byte[] bytes) {
        List<String> result = new ArrayList<>();
        String text = new String(bytes, StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                result.add(text.substring(start, i + 1));
                start = i + 1;
            }
        }
        return result;
    }

    static byte[] join(List<String> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : lines) {
            out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
