package dev.lockstep.timeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.LockstepException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks a timeline with nothing but the operator's public key (docs/timeline-format.md, "Verifying"):
 * every line parses and has the common fields, {@code run} is constant, {@code seq} is contiguous,
 * {@code prev} chains the exact bytes, each session key is certified by the operator key, and each
 * checkpoint's size, Merkle root and signature hold. A run stopped cleanly and resumed later continues in
 * the same file: a close and its final checkpoint may stand in the middle only when a resume (a
 * {@code recover} record with {@code after: close}) and a newly certified session key follow; the verdict
 * is about the whole file. Without a public key the signatures are not checked and the result says so.
 */
public final class TimelineVerifier {
    private final byte[] bytes;
    private final OperatorPublicKey operatorKey;
    private final PublicKey operatorJdkKey;
    private final MerkleTree tree = new MerkleTree();
    private final MessageDigest digest = Hashing.sha256();

    private String runId;
    private int version;
    private String openOperatorKey;
    private String prevHex;
    /** Where the line being checked stands in {@link #bytes}: a version 2 checkpoint signs its own bytes. */
    private int lineOffset;

    private int lineLength;
    private boolean signed;
    private boolean awaitingSessionKey;
    private boolean closeSeen;
    private boolean finalSeen;
    private PublicKey sessionKey;
    private String sessionKeyBase64;
    private String certifiedBy;
    private long lines;
    private long lastCheckpointSeq = -1;
    private long checkpoints;
    private long recovers;
    private long resumes;
    private String previousType;
    /** Every session key certified so far, with the seq of its certificate: a key seals one session only. */
    private final Map<String, Long> certifiedSessionKeys = new HashMap<>();

    private long intactLength;
    /**
     * Only the last checkpoint's signature needs checking: its root covers the exact bytes of every line
     * before it, earlier checkpoints included, so a valid last signature authenticates them all. This
     * keeps verification fast with the JDK's Ed25519 (about 0.6 ms per signature).
     */
    private PendingSignature lastSignedCheckpoint;

    private record PendingSignature(long line, long seq, PublicKey key, byte[] message, byte[] signature) {}

    private TimelineVerifier(byte[] bytes, OperatorPublicKey operatorKey) {
        this.bytes = bytes;
        this.operatorKey = operatorKey;
        this.operatorJdkKey = operatorKey == null ? null : operatorKey.jdkKey();
    }

    /** Verifies a file; a missing or unreadable file is a usage error (exit 2). */
    public static VerifyResult verify(Path file, OperatorPublicKey operatorKey) {
        try {
            return verify(Files.readAllBytes(file), operatorKey);
        } catch (NoSuchFileException e) {
            throw LockstepException.usage("timeline " + file + " does not exist");
        } catch (IOException e) {
            throw LockstepException.usage("cannot read timeline " + file + ": " + e.getMessage());
        }
    }

    /** Verifies timeline bytes; {@code operatorKey} null means: do not check signatures. */
    public static VerifyResult verify(byte[] bytes, OperatorPublicKey operatorKey) {
        return new TimelineVerifier(bytes, operatorKey).run();
    }

    private VerifyResult run() {
        int offset = 0;
        while (offset < bytes.length) {
            int end = indexOfNewline(offset);
            if (end < 0) {
                break;
            }
            int length = end + 1 - offset;
            JsonNode line;
            try {
                line = TimelineJson.MAPPER.readTree(bytes, offset, length);
            } catch (IOException e) {
                line = null;
            }
            if (line == null || !line.isObject()) {
                if (end + 1 == bytes.length) {
                    // A last line that does not parse is a write the crash interrupted, as reopen treats it.
                    break;
                }
                return tampered(null, "not a JSON object");
            }
            lineOffset = offset;
            lineLength = length;
            String problem = check(line);
            if (problem != null) {
                return tampered(line.get("seq"), problem);
            }
            if (line.get("type").asText().equals("recover")) {
                // The session before this line has ended: its last seal must hold under its own key.
                VerifyResult unsealed = checkLastSignature();
                if (unsealed != null) {
                    return unsealed;
                }
            }
            tree.append(bytes, offset, length);
            digest.update(bytes, offset, length);
            prevHex = Hashing.hex(digest.digest());
            lines++;
            offset = end + 1;
            intactLength = offset;
        }
        int tornTail = bytes.length - offset;
        if (lines == 0) {
            return result(Verdict.INCOMPLETE, tornTail, null, null, "no complete line");
        }
        // A torn tail after a final checkpoint is a resume the crash interrupted while it wrote its first
        // line: INCOMPLETE like any torn tail. Complete lines there are checked above (only a resume).
        VerifyResult unsealed = checkLastSignature();
        if (unsealed != null) {
            return unsealed;
        }
        if (finalSeen && tornTail == 0) {
            return result(signed ? Verdict.COMPLETE : Verdict.UNSIGNED, 0, null, null, null);
        }
        return incomplete(tornTail);
    }

    /** TAMPERED when the last signed checkpoint's signature does not verify, else null; then forgets it. */
    private VerifyResult checkLastSignature() {
        PendingSignature pending = lastSignedCheckpoint;
        lastSignedCheckpoint = null;
        if (operatorJdkKey == null
                || pending == null
                || Ed25519.verify(pending.key(), pending.message(), pending.signature())) {
            return null;
        }
        return result(
                Verdict.TAMPERED,
                0,
                pending.line(),
                pending.seq(),
                "checkpoint signature does not verify under the certified session key");
    }

    /** Every check of one line; null when it passes, else the reason. */
    private String check(JsonNode line) {
        long expectedSeq = lines;
        if (!line.path("v").isInt()) {
            return "no format version";
        }
        int lineVersion = line.get("v").intValue();
        if (version == 0) {
            if (!TimelineFormat.isSupported(lineVersion)) {
                return "format version " + lineVersion + " is not one this verifier knows (1 or 2)";
            }
            version = lineVersion;
        } else if (lineVersion != version) {
            return "format version " + lineVersion + " differs from " + version + " of the first line";
        }
        JsonNode run = line.get("run");
        if (run == null || !run.isTextual()) {
            return "no run id";
        }
        if (runId == null) {
            runId = run.textValue();
            prevHex = TimelineFormat.genesisPrev(runId);
        } else if (!runId.equals(run.textValue())) {
            return "run id " + run.textValue() + " differs from " + runId + " of the first line";
        }
        JsonNode seqNode = line.get("seq");
        if (seqNode == null || !seqNode.canConvertToLong() || !seqNode.isIntegralNumber()) {
            return "no seq";
        }
        long seq = seqNode.longValue();
        if (seq > expectedSeq) {
            return "seq " + seq + " where " + expectedSeq + " was expected: " + (seq - expectedSeq)
                    + " line(s) missing before it";
        }
        if (seq < expectedSeq) {
            return "seq " + seq + " where " + expectedSeq
                    + " was expected: lines were reordered or a line was inserted";
        }
        JsonNode prev = line.get("prev");
        if (prev == null || !prevHex.equals(prev.asText())) {
            return seq == 0
                    ? "prev is not the genesis hash of run " + runId
                    : "prev is not the SHA-256 of line " + seq + " (seq " + (seq - 1) + "): line " + seq
                            + " was changed, or lines were removed, inserted or reordered between them";
        }
        String type = line.path("type").asText(null);
        if (type == null || !TimelineFormat.isKnownType(type)) {
            return "unknown type " + line.get("type");
        }
        String shape = checkShape(line);
        if (shape != null) {
            return shape;
        }
        String problem = checkOrder(seq, type, line.get("body"));
        previousType = type;
        return problem;
    }

    /** Where the line stands among the others, and what its type checks; null when it passes. */
    private String checkOrder(long seq, String type, JsonNode body) {
        boolean resume =
                type.equals("recover") && "close".equals(body.path("after").asText(null));
        if (finalSeen && !resume) {
            return "a line after the final checkpoint: only a resume (a recover record with after: close, then a"
                    + " newly certified session key) may follow a close";
        }
        if (resume && !finalSeen) {
            return "a resume after a clean stop (recover with after: close) that does not follow a final checkpoint";
        }
        if (resume) {
            // the stopped part is sealed; what follows is judged as a new session of the same run
            closeSeen = false;
            finalSeen = false;
        }
        if (seq == 0 != type.equals("open")) {
            return seq == 0 ? "the first line is " + type + ", not open" : "a second open record";
        }
        // A crash between a close and its final checkpoint leaves the close unsealed by its own session: the
        // resume's recover (after a crash) follows it, and later checkpoints cover it.
        boolean crashAfterClose = type.equals("recover") && !resume;
        if (closeSeen && !(type.equals("checkpoint") && body.path("final").asBoolean(false)) && !crashAfterClose) {
            return "close is followed by " + type + ", not by the final checkpoint";
        }
        // A crash between open (or a recover) and its session key leaves the key unwritten; the next reopen
        // then writes a recover after a crash, the only line that may stand in the certificate's place.
        boolean crashBeforeSessionKey =
                type.equals("recover") && !resume && ("recover".equals(previousType) || "open".equals(previousType));
        if (awaitingSessionKey && !type.equals("session_key") && !crashBeforeSessionKey) {
            return type + " where the session key certificate was expected";
        }
        return switch (type) {
            case "open" -> {
                if (!body.path("signed").isBoolean()) {
                    yield "open record does not say whether the run is signed";
                }
                signed = body.get("signed").booleanValue();
                awaitingSessionKey = signed;
                JsonNode operator = body.get("operator_key");
                if (signed && (operator == null || !operator.isTextual())) {
                    yield "a signed run's open record does not name its operator key";
                }
                if (!signed && operator != null && !operator.isNull()) {
                    yield "an unsigned run's open record names an operator key";
                }
                openOperatorKey = signed ? operator.textValue() : null;
                yield null;
            }
            case "session_key" -> checkSessionKey(seq, prevHex, body);
            case "recover" -> {
                closeSeen = false;
                String prior = checkPrior(seq, body);
                if (prior != null) {
                    yield prior;
                }
                if (resume) {
                    resumes++;
                } else {
                    recovers++;
                }
                awaitingSessionKey = signed;
                yield null;
            }
            case "checkpoint" -> checkCheckpoint(seq, body);
            case "close" -> {
                closeSeen = true;
                yield null;
            }
            default -> null;
        };
    }

    /**
     * A recover record names the line it continues after: {@code prior_last_seq} is the seq before it and
     * {@code prior_last_hash} that line's hash (its own {@code prev}). Required from version 2; checked in
     * version 1 files when present.
     */
    private String checkPrior(long seq, JsonNode body) {
        JsonNode priorSeq = body.get("prior_last_seq");
        JsonNode priorHash = body.get("prior_last_hash");
        if (priorSeq == null && priorHash == null && version == TimelineFormat.VERSION_1) {
            return null;
        }
        if (priorSeq == null || !priorSeq.isIntegralNumber() || priorSeq.longValue() != seq - 1) {
            return "recover names prior_last_seq " + priorSeq + ", not the seq before it (" + (seq - 1) + ")";
        }
        if (priorHash == null || !prevHex.equals(priorHash.asText())) {
            return "recover names prior_last_hash " + priorHash + ", not the SHA-256 of the line before it";
        }
        return null;
    }

    private static String checkShape(JsonNode line) {
        if (!line.path("ts").isTextual()) {
            return "ts is missing or not a string";
        }
        if (!line.path("mono_ms").isIntegralNumber()) {
            return "mono_ms is missing or not an integer";
        }
        if (!line.path("actor").isTextual()) {
            return "actor is missing or not a string";
        }
        JsonNode step = line.get("step");
        if (step == null || !(step.isNull() || step.isTextual())) {
            return "step is missing or neither a string nor null";
        }
        JsonNode attempt = line.get("attempt");
        if (attempt == null || !(attempt.isNull() || attempt.isIntegralNumber())) {
            return "attempt is missing or neither an integer nor null";
        }
        if (!line.path("body").isObject()) {
            return "body is missing or not an object";
        }
        return null;
    }

    private String checkSessionKey(long seq, String prev, JsonNode body) {
        if (!signed) {
            return "a session key in a timeline whose open record says unsigned";
        }
        if (!awaitingSessionKey) {
            return "a session key certificate that does not follow open or recover";
        }
        awaitingSessionKey = false;
        byte[] certifier;
        byte[] key;
        byte[] signature;
        try {
            certifier = Hashing.fromBase64(body.path("operator_key").asText());
            key = Hashing.fromBase64(body.path("key").asText());
            signature = Hashing.fromBase64(body.path("sig").asText());
        } catch (IllegalArgumentException e) {
            return "session key certificate is not canonical base64";
        }
        if (certifier.length != Ed25519.KEY_BYTES || key.length != Ed25519.KEY_BYTES) {
            return "session key certificate holds no Ed25519 keys";
        }
        String earlierCertifier = certifiedBy;
        certifiedBy = Ed25519.fingerprint(certifier);
        if (operatorKey != null && !Arrays.equals(certifier, operatorKey.raw())) {
            return "session key certificate is not by this operator: certified by " + certifiedBy + ", expected "
                    + operatorKey.fingerprint();
        }
        if (!certifiedBy.equals(openOperatorKey)) {
            return "session key certified by operator key " + certifiedBy + ", but the open record names "
                    + openOperatorKey;
        }
        if (earlierCertifier != null && !earlierCertifier.equals(certifiedBy)) {
            return "session key certified by operator key " + certifiedBy + ", but the run's earlier session keys by "
                    + earlierCertifier + ": one run, one operator key";
        }
        String keyBase64 = Hashing.base64(key);
        Long earlier = certifiedSessionKeys.putIfAbsent(keyBase64, seq);
        if (earlier != null) {
            return "session key " + keyBase64 + " was already certified at seq " + earlier
                    + ": every session certifies a fresh key, and a key dropped at a close or lost in a crash"
                    + " must never seal again";
        }
        sessionKeyBase64 = body.path("key").asText();
        sessionKey = Ed25519.publicFromRaw(key);
        if (operatorJdkKey != null
                && !Ed25519.verify(
                        operatorJdkKey,
                        TimelineFormat.sessionKeyMessage(runId, seq, prev, sessionKeyBase64),
                        signature)) {
            return "session key certificate signature does not verify under operator key " + certifiedBy;
        }
        return null;
    }

    private String checkCheckpoint(long seq, JsonNode body) {
        if (!body.path("size").isIntegralNumber() || body.get("size").longValue() != seq) {
            return "checkpoint size " + body.get("size") + " is not its seq " + seq
                    + ": a checkpoint covers every line before it";
        }
        String root = Hashing.hex(tree.root());
        if (!root.equals(body.path("root").asText())) {
            return "checkpoint root does not match lines 0.." + (seq - 1) + ": a line between seq "
                    + (lastCheckpointSeq + 1) + " and " + (seq - 1) + " differs from what was sealed";
        }
        if (!body.path("final").isBoolean()) {
            return "checkpoint does not say whether it is final";
        }
        boolean last = body.get("final").booleanValue();
        if (last && !closeSeen) {
            return "a final checkpoint that does not follow the close record";
        }
        if (signed) {
            if (sessionKey == null) {
                return "a checkpoint before any certified session key";
            }
            if (!sessionKeyBase64.equals(body.path("key").asText())) {
                return "checkpoint is signed by key " + body.path("key").asText()
                        + ", not by the certified session key " + sessionKeyBase64;
            }
            byte[] signature;
            try {
                signature = Hashing.fromBase64(body.path("sig").asText());
            } catch (IllegalArgumentException e) {
                return "checkpoint signature is not canonical base64";
            }
            if (signature.length != 64) {
                return "checkpoint signature is not 64 bytes";
            }
            byte[] message = version == TimelineFormat.VERSION_1
                    ? TimelineFormat.checkpointMessage(runId, seq, root, last)
                    : TimelineFormat.checkpointSigned(
                            bytes, lineOffset, lineLength, body.path("sig").asText());
            if (message == null) {
                return "checkpoint line does not hold its signature member exactly once";
            }
            lastSignedCheckpoint = new PendingSignature(lines + 1, seq, sessionKey, message, signature);
        } else if (body.has("sig")) {
            return "a signed checkpoint in a timeline whose open record says unsigned";
        }
        lastCheckpointSeq = seq;
        checkpoints++;
        finalSeen = last;
        return null;
    }

    private int indexOfNewline(int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private VerifyResult incomplete(int tornTailBytes) {
        return result(Verdict.INCOMPLETE, tornTailBytes, null, null, null);
    }

    private VerifyResult tampered(JsonNode seq, String reason) {
        Long seqValue = seq != null && seq.isIntegralNumber() ? seq.longValue() : null;
        return result(Verdict.TAMPERED, 0, lines + 1, seqValue, reason);
    }

    private VerifyResult result(Verdict verdict, int tornTailBytes, Long line, Long seq, String reason) {
        long unsealed = lastCheckpointSeq < 0 ? lines : lines - 1 - lastCheckpointSeq;
        return new VerifyResult(
                verdict,
                runId,
                lines,
                signed,
                operatorKey != null,
                certifiedBy,
                lastCheckpointSeq < 0 ? -1 : lastCheckpointSeq - 1,
                unsealed,
                tornTailBytes,
                checkpoints,
                recovers,
                resumes,
                certifiedSessionKeys.size(),
                line,
                seq,
                reason,
                intactLength,
                version);
    }
}
