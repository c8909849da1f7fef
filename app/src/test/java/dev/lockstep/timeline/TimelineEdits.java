package dev.lockstep.timeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Edits a forger who knows the format would make to a timeline, for the tests that show verify catches
 * them: lines with their {@code \n}, renumbered and rechained, roots recomputed, certificates re-signed.
 * Every edit is deterministic.
 */
public final class TimelineEdits {
    private TimelineEdits() {}

    /** The file's lines, each with its trailing newline. */
    public static List<String> lines(Path file) {
        try {
            return TimelineTamperTest.splitLines(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] join(List<String> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : lines) {
            out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** The index of the first line at or after {@code from} that contains {@code needle}. */
    public static int indexOf(List<String> lines, String needle, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).contains(needle)) {
                return i;
            }
        }
        throw new AssertionError("no line with " + needle + " from line index " + from);
    }

    public static ObjectNode parse(String line) {
        try {
            return (ObjectNode) TimelineJson.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(ObjectNode line) {
        try {
            return TimelineJson.MAPPER.writeValueAsString(line) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * From {@code from} on: seq set to the line's index and prev to the SHA-256 of the line before (and a
     * recover record's prior line to the same).
     */
    public static void renumberAndRechain(List<String> lines, int from) {
        for (int i = Math.max(from, 1); i < lines.size(); i++) {
            ObjectNode line = parse(lines.get(i));
            line.put("seq", i);
            rechain(line, lines.get(i - 1), i);
            lines.set(i, text(line));
        }
    }

    private static void rechain(ObjectNode line, String previous, int index) {
        String prev = Hashing.hex(Hashing.sha256(previous.getBytes(StandardCharsets.UTF_8)));
        line.put("prev", prev);
        if (line.get("type").asText().equals("recover")) {
            ((ObjectNode) line.get("body")).put("prior_last_seq", index - 1);
            ((ObjectNode) line.get("body")).put("prior_last_hash", prev);
        }
    }

    /**
     * From {@code from} on: every checkpoint's size and root recomputed over the lines before it (and the
     * chain rebuilt), its signature left as it was: what a forger without the session key can do.
     */
    public static void resealRoots(List<String> lines, int from) {
        MerkleTree tree = new MerkleTree();
        for (int i = 0; i < lines.size(); i++) {
            if (i >= from) {
                ObjectNode line = parse(lines.get(i));
                if (i > 0) {
                    rechain(line, lines.get(i - 1), i);
                }
                if (line.get("type").asText().equals("checkpoint")) {
                    ((ObjectNode) line.get("body")).put("size", i);
                    ((ObjectNode) line.get("body")).put("root", Hashing.hex(tree.root()));
                }
                lines.set(i, text(line));
            }
            tree.append(lines.get(i).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The {@code session_key} line with its certificate replaced by one that {@code certifier} signs over
     * the right message (this line's run, seq, prev and key), naming {@code claimed} as the certifier.
     */
    public static String recertified(String sessionKeyLine, OperatorKey certifier, OperatorPublicKey claimed) {
        ObjectNode line = parse(sessionKeyLine);
        ObjectNode body = (ObjectNode) line.get("body");
        byte[] message = TimelineFormat.sessionKeyMessage(
                line.get("run").asText(),
                line.get("seq").asLong(),
                line.get("prev").asText(),
                body.get("key").asText());
        body.put("operator_key", claimed.base64());
        body.put("operator_fingerprint", claimed.fingerprint());
        body.put("sig", Hashing.base64(certifier.sign(message)));
        return text(line);
    }

    /**
     * The checkpoint line signed by {@code session} as format version 2 signs it: over the line's own bytes
     * with the signature's value left empty.
     */
    public static String signedCheckpoint(ObjectNode line, java.security.PrivateKey session) {
        ObjectNode body = (ObjectNode) line.get("body");
        body.put("sig", "");
        byte[] unsigned = text(line).getBytes(StandardCharsets.UTF_8);
        body.put("sig", Hashing.base64(Ed25519.sign(session, unsigned)));
        return text(line);
    }

    /** Copies of {@code lines} with one edit applied, as a new list. */
    public static List<String> copy(List<String> lines) {
        return new ArrayList<>(lines);
    }
}
