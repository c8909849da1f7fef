package dev.lockstep.timeline;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The constants of the timeline format and the exact texts that get hashed or signed. Each is specified in
 * docs/timeline-format.md; change them only with a new format version.
 *
 * <p>Version 2 (written since Lockstep 0.1) differs from version 1 in one thing: a checkpoint's signature
 * covers the checkpoint line itself (every member but the signature's own value), so that no byte of a
 * sealed file, the final checkpoint's {@code ts} and {@code actor} included, is left unsealed. Version 1
 * files still verify; a run resumed in a version 1 file goes on writing version 1.
 */
final class TimelineFormat {
    /** The version Lockstep writes into new timelines. */
    public static final int VERSION = 2;
    /** The version of files written before checkpoint signatures covered their own line. */
    public static final int VERSION_1 = 1;

    /** Event types the engine emits through {@link TimelineWriter#append}. */
    public static final Set<String> ENGINE_TYPES = Set.of(
            "open",
            "state",
            "step_start",
            "step_end",
            "verify",
            "batch",
            "breach",
            "clear",
            "sample",
            "approval",
            "decision",
            "failure",
            "note");

    /**
     * Types written without a force of their own: a committed batch (its checkpoint row in the database is the
     * authority) and a sample (an observation, announcing nothing). A forced line makes them durable.
     */
    public static final Set<String> RECORD_TYPES = Set.of("batch", "sample");

    /** Types only the writer itself produces. */
    public static final Set<String> WRITER_TYPES = Set.of("session_key", "recover", "checkpoint", "close");

    /** Types after which the writer seals what it has written so far. */
    static final Set<String> SEAL_AFTER = Set.of("step_end", "approval", "decision", "failure", "breach");

    public static final int CHECKPOINT_EVERY_LINES = 100;
    public static final long CHECKPOINT_EVERY_MILLIS = 30_000;

    private TimelineFormat() {}

    public static boolean isKnownType(String type) {
        return ENGINE_TYPES.contains(type) || WRITER_TYPES.contains(type);
    }

    /** The {@code prev} of seq 0: SHA-256 of {@code "lockstep-timeline/1 genesis\n" + run + "\n"}, hex. */
    public static String genesisPrev(String runId) {
        return Hashing.hex(
                Hashing.sha256(("lockstep-timeline/1 genesis\n" + runId + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    /** What the operator key signs to certify a session key. */
    public static byte[] sessionKeyMessage(String runId, long seq, String prev, String sessionKeyBase64) {
        return ("lockstep-timeline/1 session-key\nrun " + runId + "\nseq " + seq + "\nprev " + prev + "\nkey "
                        + sessionKeyBase64 + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    public static boolean isSupported(int version) {
        return version == VERSION || version == VERSION_1;
    }

    /** The {@code sig} member of a checkpoint line as signed in version 2: its value left empty. */
    static final String UNSIGNED_SIG = "\"sig\":\"\"";

    /**
     * Version 2: what the session key signs for a checkpoint, the checkpoint line's exact bytes (with its
     * {@code \n}) where the value of {@code sig} is the empty string. Null when the line does not hold
     * {@code "sig":"<sig>"} exactly once (the signature then cannot verify).
     */
    public static byte[] checkpointSigned(byte[] line, int offset, int length, String sigBase64) {
        String text = new String(line, offset, length, StandardCharsets.UTF_8);
        String member = "\"sig\":\"" + sigBase64 + "\"";
        int at = text.indexOf(member);
        if (at < 0 || text.indexOf(member, at + 1) >= 0) {
            return null;
        }
        return (text.substring(0, at) + UNSIGNED_SIG + text.substring(at + member.length()))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Version 1: what the session key signs for a checkpoint over lines 0..size-1 (the line itself is not). */
    public static byte[] checkpointMessage(String runId, long size, String rootHex, boolean last) {
        return ("lockstep-timeline/1 checkpoint\nrun " + runId + "\nsize " + size + "\nroot " + rootHex + "\nfinal "
                        + last + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
