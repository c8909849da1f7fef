package dev.lockstep.timeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.CrashPoints;
import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Appends a run's events to {@code <dir>/<run-id>.jsonl}, write-ahead: each line is one write on an
 * append channel, forced to disk before {@link #append} returns, so the caller acts only on what is
 * durable. Nothing is buffered in memory. Checkpoints (RFC 6962 root over every line so far, signed by a
 * per-session key that the operator key certified) follow every step end, approval, decision and breach,
 * at least every 100 lines or 30 s, and the close record. The session private key is dropped after the
 * final checkpoint and never written anywhere; a run resumed later {@link #reopen reopens} the same file
 * and certifies a new one.
 */
public final class TimelineWriter {
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final DateTimeFormatter TS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    static final String SYSTEM_ACTOR = "system";

    private final Path file;
    private final FileChannel channel;
    private final int version;
    private final String runId;
    private final OperatorKey operatorKey;
    private final Redactor redactor;
    private final TimelineClock clock;
    private final Supplier<KeyPair> sessionKeys;

    private final MerkleTree tree;
    private long nextSeq;
    private String prev;
    private KeyPair session;
    private String sessionPublicBase64;
    private long linesSinceCheckpoint;
    private long lastCheckpointMono;
    private boolean opened;
    private boolean finished;
    private boolean broken;
    /** What an earlier process left in a file it created but died before its open record was complete. */
    private byte[] unopenedTail = new byte[0];

    private TimelineWriter(
            Path file,
            FileChannel channel,
            int version,
            String runId,
            OperatorKey operatorKey,
            Redactor redactor,
            TimelineClock clock,
            Supplier<KeyPair> sessionKeys,
            MerkleTree tree,
            long nextSeq,
            String prev) {
        this.file = file;
        this.channel = channel;
        this.version = version;
        this.runId = runId;
        this.operatorKey = operatorKey;
        this.redactor = Objects.requireNonNull(redactor, "redactor");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sessionKeys = sessionKeys;
        this.tree = tree;
        this.nextSeq = nextSeq;
        this.prev = prev;
        this.lastCheckpointMono = clock.monoMillis();
    }

    /** A new signed timeline; the first {@link #append} must be the {@code open} record. */
    public static TimelineWriter create(
            Path dir, String runId, OperatorKey key, Redactor redactor, TimelineClock clock) {
        return create(dir, runId, Objects.requireNonNull(key, "operator key"), redactor, clock, Ed25519::generate);
    }

    /** A new timeline without signatures ({@code --unsigned}): recorded in the open record, reported by verify. */
    public static TimelineWriter createUnsigned(Path dir, String runId, Redactor redactor, TimelineClock clock) {
        return create(dir, runId, null, redactor, clock, null);
    }

    static TimelineWriter create(
            Path dir,
            String runId,
            OperatorKey key,
            Redactor redactor,
            TimelineClock clock,
            Supplier<KeyPair> sessionKeys) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw LockstepException.usage("run id '" + runId
                    + "' cannot name a timeline file: use letters, digits, '.', '_' and '-' (at most 128)");
        }
        Path file = dir.resolve(runId + ".jsonl");
        try {
            OwnerOnlyFiles.createDirectories(dir);
            FileChannel channel;
            byte[] unopened = new byte[0];
            try {
                channel = FileChannel.open(
                        file,
                        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                        OwnerOnlyFiles.fileMode());
            } catch (FileAlreadyExistsException e) {
                if (!neverOpened(file)) {
                    throw LockstepException.usage(
                            "timeline " + file + " already exists: a run is resumed by reopening it");
                }
                // An earlier process of this run created the file and died before its open record reached the
                // disk: nothing was acknowledged, so the run's story starts here, keeping what it left.
                unopened = Files.readAllBytes(file);
                channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                channel.truncate(0);
                channel.force(true);
            }
            OwnerOnlyFiles.forceDirectory(dir);
            CrashPoints.durable("timeline file " + file.getFileName() + " created");
            TimelineWriter writer = new TimelineWriter(
                    file,
                    channel,
                    TimelineFormat.VERSION,
                    runId,
                    key,
                    redactor,
                    clock,
                    sessionKeys,
                    new MerkleTree(),
                    0,
                    TimelineFormat.genesisPrev(runId));
            writer.unopenedTail = unopened;
            return writer;
        } catch (IOException e) {
            throw new LockstepException(ExitCode.USAGE, "cannot create timeline " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reopens a run's timeline to continue it, signed by the operator key that certified its session keys.
     * After a crash (the file does not end with the final checkpoint): cuts off a torn last line (kept in
     * the {@code recover} record) and reports the steps in doubt. After a clean stop (the file ends with
     * close and the final checkpoint): continues the same hash chain with a {@code recover} record whose
     * {@code after} is {@code close}. Either way a new session key is certified; the earlier one was
     * dropped at its close or lost in the crash.
     */
    public static ReopenedTimeline reopen(
            Path file, OperatorKey key, Redactor redactor, TimelineClock clock, ReopenedBy by) {
        return reopen(file, Objects.requireNonNull(key, "operator key"), redactor, clock, by, Ed25519::generate);
    }

    public static ReopenedTimeline reopenUnsigned(Path file, Redactor redactor, TimelineClock clock, ReopenedBy by) {
        return reopen(file, null, redactor, clock, by, null);
    }

    static ReopenedTimeline reopen(
            Path file,
            OperatorKey key,
            Redactor redactor,
            TimelineClock clock,
            ReopenedBy by,
            Supplier<KeyPair> sessionKeys) {
        Objects.requireNonNull(by, "who reopens the timeline");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw LockstepException.usage("timeline " + file + " does not exist");
        } catch (IOException e) {
            throw LockstepException.usage("cannot read timeline " + file + ": " + e.getMessage());
        }
        VerifyResult check = TimelineVerifier.verify(bytes, key == null ? null : key.publicKey());
        if (check.verdict() == Verdict.TAMPERED && key != null) {
            VerifyResult unchecked = TimelineVerifier.verify(bytes, null);
            if (unchecked.verdict() != Verdict.TAMPERED
                    && unchecked.operatorFingerprint() != null
                    && !unchecked.operatorFingerprint().equals(key.fingerprint())) {
                // intact, but sealed under another operator key: a wrong --key, not a forgery
                throw LockstepException.usage("timeline " + file + " is signed by operator key "
                        + unchecked.operatorFingerprint() + ", not by this operator key " + key.fingerprint()
                        + ": resume the run with the key it was started with (--key)");
            }
        }
        if (check.lines() == 0) {
            throw LockstepException.usage("timeline " + file + " has no complete line: start a new run instead");
        }
        if (check.signed() != (key != null)) {
            throw LockstepException.usage("timeline " + file + " was written "
                    + (check.signed()
                            ? "signed: resume it with the operator key"
                            : "unsigned: resume it with --unsigned"));
        }
        if (check.verdict() == Verdict.TAMPERED) {
            throw new LockstepException(
                    ExitCode.TIMELINE_TAMPERED, "timeline " + file + " cannot be continued: " + check.summary());
        }
        int intact = (int) check.intactLength();
        byte[] torn = Arrays.copyOfRange(bytes, intact, bytes.length);
        Replay replay = Replay.of(bytes, intact);
        // Closed (possibly with a torn tail: a crash while an earlier resume wrote its first line) or not.
        boolean afterClose = replay.endsWithFinalCheckpoint;
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            channel.truncate(intact);
            channel.force(true);
            // a file goes on in the format it was started in (a version 1 file resumed stays version 1)
            TimelineWriter writer = new TimelineWriter(
                    file,
                    channel,
                    check.version(),
                    check.runId(),
                    key,
                    redactor,
                    clock,
                    sessionKeys,
                    replay.tree,
                    replay.lines,
                    replay.lastHash);
            writer.opened = true;
            Recovery recovery = new Recovery(afterClose, torn.length, replay.lines - 1, replay.inDoubt());
            writer.writeRecover(torn, recovery, by);
            return new ReopenedTimeline(writer, recovery, replay.runbookSha256);
        } catch (IOException e) {
            throw new LockstepException(ExitCode.STOPPED, "cannot reopen timeline " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether a timeline file holds no complete line: the process that created it died before its open
     * record reached the disk. Such a file is started afresh by {@link #create}, never reopened.
     */
    public static boolean neverOpened(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            for (byte b : bytes) {
                if (b == '\n') {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw LockstepException.usage("cannot read timeline " + file + ": " + e.getMessage());
        }
    }

    public Path file() {
        return file;
    }

    public String runId() {
        return runId;
    }

    public boolean signed() {
        return operatorKey != null;
    }

    /**
     * Writes one event and forces it to disk before returning its seq. The first event must be
     * {@code open}; {@code close} goes through {@link #close}.
     */
    public synchronized long append(String type, String actor, String step, Integer attempt, Map<String, Object> body) {
        return append(type, actor, step, attempt, body, true);
    }

    /**
     * Writes a line that reports what already happened and is durable elsewhere (a committed backfill batch,
     * whose checkpoint row in the database is the authority) with the same single write, but without waiting
     * for the disk: a killed process loses nothing (the bytes are in the kernel), and the next forced line
     * (a step end, a sample, a checkpoint) forces it with everything before it. Never for an intent line.
     */
    public synchronized long record(String type, String actor, String step, Integer attempt, Map<String, Object> body) {
        if (!TimelineFormat.RECORD_TYPES.contains(type)) {
            throw new IllegalArgumentException("only after-the-fact lines may skip the force, not " + type);
        }
        return append(type, actor, step, attempt, body, false);
    }

    private long append(
            String type, String actor, String step, Integer attempt, Map<String, Object> body, boolean force) {
        if (!TimelineFormat.ENGINE_TYPES.contains(type)) {
            throw new IllegalArgumentException("not an event type a caller may append: " + type);
        }
        ensureWritable();
        if (opened == type.equals("open")) {
            throw new IllegalStateException(
                    opened ? "the open record was already written" : "the first record must be open, not " + type);
        }
        JsonNode redacted = redactor.redact(TimelineJson.MAPPER.valueToTree(body == null ? Map.of() : body));
        ObjectNode bodyNode = redacted.isObject() ? (ObjectNode) redacted : JsonNodeFactory.instance.objectNode();
        if (type.equals("open")) {
            bodyNode.put("signed", signed());
            bodyNode.put("operator_key", signed() ? operatorKey.fingerprint() : null);
            if (unopenedTail.length > 0) {
                bodyNode.set("torn", tornNode(unopenedTail));
            }
        }
        long seq = writeLine(type, actor, step, attempt, bodyNode, force);
        if (type.equals("open")) {
            opened = true;
            if (signed()) {
                certifySessionKey();
            }
            checkpoint(false, true);
        } else if (TimelineFormat.SEAL_AFTER.contains(type)) {
            checkpoint(false, true);
        } else if (checkpointDue()) {
            // after a record line, only the 30 s checkpoint is forced: it bounds what an operating-system crash
            // can lose to 30 s of records, without an fsync every 100 batches beside the database's own
            checkpoint(false, force || checkpointTimeDue());
        }
        return seq;
    }

    /** Writes the close record and the final checkpoint, then drops the session private key. */
    public synchronized void close(Map<String, Object> body) {
        ensureWritable();
        if (!opened) {
            throw new IllegalStateException("the timeline was never opened");
        }
        JsonNode redacted = redactor.redact(TimelineJson.MAPPER.valueToTree(body == null ? Map.of() : body));
        writeLine(
                "close",
                SYSTEM_ACTOR,
                null,
                null,
                redacted.isObject() ? (ObjectNode) redacted : JsonNodeFactory.instance.objectNode());
        checkpoint(true, true);
        finished = true;
        // The only copy of the session private key: after this nobody can seal anything more in this run.
        session = null;
        try {
            channel.close();
        } catch (IOException e) {
            throw new LockstepException(ExitCode.STOPPED, "cannot close timeline " + file + ": " + e.getMessage(), e);
        }
    }

    private void ensureWritable() {
        if (finished) {
            throw new IllegalStateException("timeline " + file + " is closed");
        }
        if (broken) {
            throw new LockstepException(
                    ExitCode.STOPPED,
                    "timeline " + file + " could not be written earlier; the run stops here and can be resumed");
        }
    }

    private boolean checkpointDue() {
        return linesSinceCheckpoint >= TimelineFormat.CHECKPOINT_EVERY_LINES || checkpointTimeDue();
    }

    private boolean checkpointTimeDue() {
        return clock.monoMillis() - lastCheckpointMono >= TimelineFormat.CHECKPOINT_EVERY_MILLIS;
    }

    private void certifySessionKey() {
        session = sessionKeys.get();
        sessionPublicBase64 = Hashing.base64(Ed25519.rawPublic(session.getPublic()));
        long seq = nextSeq;
        byte[] message = TimelineFormat.sessionKeyMessage(runId, seq, prev, sessionPublicBase64);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("key", sessionPublicBase64);
        body.put("operator_key", operatorKey.publicKey().base64());
        body.put("operator_fingerprint", operatorKey.fingerprint());
        body.put("sig", Hashing.base64(operatorKey.sign(message)));
        writeLine("session_key", SYSTEM_ACTOR, null, null, body);
    }

    private void checkpoint(boolean last, boolean force) {
        long size = tree.size();
        String root = Hashing.hex(tree.root());
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("size", size);
        body.put("root", root);
        body.put("final", last);
        if (!signed()) {
            writeLine("checkpoint", SYSTEM_ACTOR, null, null, body, force);
        } else if (version == TimelineFormat.VERSION_1) {
            body.put("key", sessionPublicBase64);
            body.put(
                    "sig",
                    Hashing.base64(Ed25519.sign(
                            session.getPrivate(), TimelineFormat.checkpointMessage(runId, size, root, last))));
            writeLine("checkpoint", SYSTEM_ACTOR, null, null, body, force);
        } else {
            // the signature covers the line itself: the same bytes with the signature's value left empty
            String ts = TS.format(clock.now().truncatedTo(ChronoUnit.MILLIS));
            long mono = clock.monoMillis();
            body.put("key", sessionPublicBase64);
            body.put("sig", "");
            byte[] unsigned = serialize("checkpoint", SYSTEM_ACTOR, null, null, body, ts, mono);
            body.put("sig", Hashing.base64(Ed25519.sign(session.getPrivate(), unsigned)));
            write("checkpoint", serialize("checkpoint", SYSTEM_ACTOR, null, null, body, ts, mono), force);
        }
        linesSinceCheckpoint = 0;
        lastCheckpointMono = clock.monoMillis();
    }

    private void writeRecover(byte[] torn, Recovery recovery, ReopenedBy by) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("after", recovery.afterClose() ? "close" : "crash");
        body.put("operator", by.operator());
        body.put("pid", by.pid());
        body.put("prior_last_seq", recovery.lastSeq());
        body.put("prior_last_hash", prev);
        if (torn.length == 0) {
            body.putNull("torn");
        } else {
            body.set("torn", tornNode(torn));
        }
        ArrayNode inDoubt = body.putArray("steps_in_doubt");
        for (StepInDoubt step : recovery.stepsInDoubt()) {
            ObjectNode entry = inDoubt.addObject();
            entry.put("step", step.step());
            entry.put("attempt", step.attempt());
            entry.put("start_seq", step.startSeq());
        }
        writeLine("recover", "operator:" + by.operator(), null, null, body);
        if (signed()) {
            certifySessionKey();
        }
        checkpoint(false, true);
    }

    /** Bytes that were never acknowledged, kept as evidence: their length, SHA-256 and the bytes themselves. */
    private static ObjectNode tornNode(byte[] torn) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("length", torn.length);
        node.put("sha256", Hashing.hex(Hashing.sha256(torn)));
        node.put("base64", Hashing.base64(torn));
        return node;
    }

    private long writeLine(String type, String actor, String step, Integer attempt, ObjectNode body) {
        return writeLine(type, actor, step, attempt, body, true);
    }

    private long writeLine(String type, String actor, String step, Integer attempt, ObjectNode body, boolean force) {
        String ts = TS.format(clock.now().truncatedTo(ChronoUnit.MILLIS));
        return write(type, serialize(type, actor, step, attempt, body, ts, clock.monoMillis()), force);
    }

    /** The canonical bytes of the next line (docs/timeline-format.md, "Canonical form"), with its newline. */
    private byte[] serialize(
            String type, String actor, String step, Integer attempt, ObjectNode body, String ts, long monoMillis) {
        StringBuilder line = new StringBuilder(256);
        line.append("{\"v\":").append(version).append(",\"run\":");
        CanonicalJson.string(runId, line);
        line.append(",\"seq\":").append(nextSeq);
        line.append(",\"ts\":\"").append(ts).append('"');
        line.append(",\"mono_ms\":").append(monoMillis);
        line.append(",\"type\":");
        CanonicalJson.string(type, line);
        line.append(",\"actor\":");
        CanonicalJson.string(actor == null ? SYSTEM_ACTOR : actor, line);
        line.append(",\"step\":");
        if (step == null) {
            line.append("null");
        } else {
            CanonicalJson.string(step, line);
        }
        line.append(",\"attempt\":").append(attempt == null ? "null" : attempt.toString());
        line.append(",\"prev\":\"").append(prev).append('"');
        line.append(",\"body\":");
        CanonicalJson.write(body, line);
        line.append("}\n");
        return line.toString().getBytes(StandardCharsets.UTF_8);
    }

    private long write(String type, byte[] bytes, boolean force) {
        long seq = nextSeq;
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            // One write(2) for the whole line; the loop only guards against a short write.
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            // fdatasync: the data and the new file size, which is what reading the line back needs.
            if (force) {
                channel.force(false);
                CrashPoints.durable("timeline " + type + " seq " + seq);
            }
        } catch (IOException e) {
            broken = true;
            throw new LockstepException(
                    ExitCode.STOPPED,
                    "cannot write timeline " + file + ": " + e.getMessage() + "; the run stops here and can be resumed",
                    e);
        }
        prev = Hashing.hex(Hashing.sha256(bytes));
        tree.append(bytes);
        nextSeq++;
        linesSinceCheckpoint++;
        return seq;
    }

    /** The state of an intact prefix: Merkle tree, last line hash, line count and the steps in doubt. */
    private static final class Replay {
        final MerkleTree tree = new MerkleTree();
        final Map<String, StepInDoubt> started = new LinkedHashMap<>();
        long lines;
        String lastHash;
        String runbookSha256;
        boolean endsWithFinalCheckpoint;

        static Replay of(byte[] bytes, int length) {
            Replay replay = new Replay();
            int offset = 0;
            while (offset < length) {
                int end = indexOf(bytes, offset, length);
                JsonNode line = parse(bytes, offset, end + 1 - offset);
                replay.tree.append(bytes, offset, end + 1 - offset);
                replay.lastHash = Hashing.hex(Hashing.sha256(bytes, offset, end + 1 - offset));
                String type = line.path("type").asText();
                if (type.equals("open") && line.path("body").path("sha256").isTextual()) {
                    replay.runbookSha256 = line.get("body").get("sha256").textValue();
                }
                String step = line.path("step").isTextual() ? line.get("step").asText() : null;
                if (step != null && type.equals("step_start")) {
                    Integer attempt =
                            line.path("attempt").isInt() ? line.get("attempt").intValue() : null;
                    replay.started.put(step, new StepInDoubt(step, attempt, replay.lines));
                } else if (step != null && type.equals("step_end")) {
                    replay.started.remove(step);
                } else if (type.equals("close")) {
                    // a clean stop: the process that closed the timeline knew how its steps ended
                    replay.started.clear();
                }
                replay.endsWithFinalCheckpoint = type.equals("checkpoint")
                        && line.path("body").path("final").asBoolean(false);
                replay.lines++;
                offset = end + 1;
            }
            return replay;
        }

        List<StepInDoubt> inDoubt() {
            return new ArrayList<>(started.values());
        }

        private static int indexOf(byte[] bytes, int from, int to) {
            for (int i = from; i < to; i++) {
                if (bytes[i] == '\n') {
                    return i;
                }
            }
            throw new IllegalStateException("intact prefix does not end with a newline");
        }

        private static JsonNode parse(byte[] bytes, int offset, int length) {
            try {
                return TimelineJson.MAPPER.readTree(bytes, offset, length);
            } catch (IOException e) {
                throw new IllegalStateException("intact prefix line does not parse", e);
            }
        }
    }
}
