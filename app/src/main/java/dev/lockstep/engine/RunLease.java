package dev.lockstep.engine;

import dev.lockstep.CrashPoints;
import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One run per (runbook id, database). The lease is a session-level advisory lock held by the control
 * session (it disappears with the session, so a dead holder never blocks anyone) plus the run row that
 * says who holds it. The advisory lock decides; the row only informs.
 */
final class RunLease {

    private static final DateTimeFormatter RUN_ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final LockstepSchema schema;
    private final String runbookId;
    private final long lockKey;

    public RunLease(LockstepSchema schema, String runbookId) {
        this.schema = schema;
        this.runbookId = runbookId;
        this.lockKey = lockKey(runbookId);
    }

    /** What acquiring found. */
    public sealed interface Outcome {}

    /**
     * The lease is ours; {@code run} is the row now naming us.
     *
     * @param runbookChanges for a resume of a changed runbook, which steps changed, were added or removed
     *     ({@link #changes}); null when the runbook is the one the run began with
     */
    public record Acquired(RunRecord run, boolean resumed, Optional<RunRecord> takenOverFrom, String runbookChanges)
            implements Outcome {}

    /** The runbook already completed on this database; the lease was given back. */
    public record AlreadyDone(RunRecord run) implements Outcome {}

    /** The advisory lock key of a runbook: the first 8 bytes of SHA-256 over a prefixed id. */
    static long lockKey(String runbookId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("lockstep.run:" + runbookId).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 0, Long.BYTES).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Takes the lease or refuses naming the holder (exit 4: nothing was done, run again later). A run row
     * whose holder is gone is taken over and the take-over recorded in the row's history.
     */
    /**
     * @param fingerprints the steps' fingerprints, kept in the run row: a later resume of a changed runbook
     *     names the steps that changed
     */
    public Outcome acquire(
            Connection connection,
            String runbookSha256,
            Map<String, String> fingerprints,
            Holder holder,
            String acceptChangedReason)
            throws SQLException {
        if (!tryLock(connection)) {
            throw refusal(connection);
        }
        try {
            Optional<RunRecord> latest = latest(connection);
            if (latest.isPresent() && latest.get().state() == RunState.DONE) {
                unlock(connection);
                return new AlreadyDone(latest.get());
            }
            if (latest.isEmpty() || latest.get().state().isFinal()) {
                // never run, or the last run was rolled back or abandoned: a new run starts afresh
                return new Acquired(
                        insert(connection, runbookSha256, fingerprints, holder), false, Optional.empty(), null);
            }
            RunRecord previous = latest.get();
            String changes = null;
            if (!previous.runbookSha256().equals(runbookSha256)) {
                changes = changes(connection, previous.runId(), fingerprints);
                if (acceptChangedReason == null || acceptChangedReason.isBlank()) {
                    throw LockstepException.usage("runbook " + runbookId + " changed since run " + previous.runId()
                            + " began (sha256 " + abbreviate(previous.runbookSha256()) + " then, "
                            + abbreviate(runbookSha256) + " now): " + changes + "; to continue with the changed"
                            + " runbook, run again with --accept-changed-runbook REASON");
                }
                appendHistory(
                        connection,
                        previous.runId(),
                        "accepted_changed_runbook",
                        holder,
                        acceptChangedReason,
                        previous.runbookSha256());
            }
            boolean takeover = previous.state().active();
            if (takeover) {
                appendHistory(
                        connection,
                        previous.runId(),
                        "takeover",
                        holder,
                        "previous holder " + previous.holderDescription() + " gone (advisory lock free), state "
                                + previous.state().label(),
                        previous.runbookSha256());
            }
            RunRecord resumed = claim(connection, previous.runId(), runbookSha256, fingerprints, holder);
            return new Acquired(resumed, true, takeover ? Optional.of(previous) : Optional.empty(), changes);
        } catch (SQLException | RuntimeException e) {
            unlockQuietly(connection);
            throw e;
        }
    }

    /** After a reconnect: the lease must be taken again on the new control session before any work. */
    public void reacquire(Connection connection, String runId, Holder holder) throws SQLException {
        if (!tryLock(connection)) {
            throw refusal(connection);
        }
        appendHistory(connection, runId, "reconnected", holder, "control session re-established", null);
        try (PreparedStatement statement = connection.prepareStatement("update " + schema.table("run")
                + " set holder = ?, pid = ?, heartbeat_at = clock_timestamp() where run_id = ?")) {
            statement.setString(1, holder.userAtHost());
            statement.setLong(2, holder.pid());
            statement.setString(3, runId);
            statement.executeUpdate();
        }
    }

    /** Gives the advisory lock back; the run row keeps its final state. */
    public void release(Connection connection) throws SQLException {
        unlock(connection);
    }

    public Optional<RunRecord> latest(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(RunStore.selectRuns(schema)
                + " where runbook_id = ? and database = current_database() order by started_at desc limit 1")) {
            statement.setString(1, runbookId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(RunStore.read(rows)) : Optional.empty();
            }
        }
    }

    private boolean tryLock(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
            statement.setLong(1, lockKey);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    private void unlock(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select pg_advisory_unlock(?)")) {
            statement.setLong(1, lockKey);
            statement.execute();
        }
    }

    private void unlockQuietly(Connection connection) {
        try {
            if (!connection.isClosed()) {
                unlock(connection);
            }
        } catch (SQLException ignored) {
            // the session is gone, and its advisory lock with it
        }
    }

    private LockstepException refusal(Connection connection) throws SQLException {
        Optional<RunRecord> holderRow = latest(connection);
        String holderText = holderRow
                .filter(run -> !run.state().isFinal())
                .map(run -> "run " + run.runId() + " held by " + run.holderDescription() + " since "
                        + run.startedAt() + " (state " + run.state().label() + ", heartbeat "
                        + Duration.between(run.heartbeatAt(), Instant.now()).toSeconds() + "s ago)")
                .orElseGet(() -> "held by " + lockHolderSession(connection));
        return new LockstepException(
                ExitCode.STOPPED, "runbook " + runbookId + " is already running on this database: " + holderText);
    }

    /** When the row does not name a holder yet (it is being written), the lock's session does. */
    private String lockHolderSession(Connection connection) {
        try (PreparedStatement statement = connection.prepareStatement("select a.pid, coalesce(a.usename, '?'),"
                + " coalesce(a.client_addr::text, 'local'), coalesce(a.application_name, '')"
                + " from pg_locks l join pg_stat_activity a on a.pid = l.pid"
                + " where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database"
                + " where datname = current_database()) and ((l.classid::bigint << 32) | l.objid::bigint) = ?")) {
            statement.setLong(1, lockKey);
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    return "backend " + rows.getInt(1) + " (" + rows.getString(2) + " from " + rows.getString(3) + ", "
                            + rows.getString(4) + ")";
                }
            }
        } catch (SQLException e) {
            return "another session";
        }
        return "another session";
    }

    private RunRecord insert(Connection connection, String sha256, Map<String, String> fingerprints, Holder holder)
            throws SQLException {
        String runId = RUN_ID_TIME.format(Instant.now()) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
        try (PreparedStatement statement = connection.prepareStatement("insert into " + schema.table("run")
                + " (run_id, runbook_id, database, runbook_sha256, holder, pid, state, step_fingerprints)"
                + " values (?, ?, current_database(), ?, ?, ?, 'pending', ?::jsonb) returning *")) {
            statement.setString(1, runId);
            statement.setString(2, runbookId);
            statement.setString(3, sha256);
            statement.setString(4, holder.userAtHost());
            statement.setLong(5, holder.pid());
            statement.setString(6, Json.write(fingerprints));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                CrashPoints.statementRan(connection, "lease: run " + runId + " inserted");
                return RunStore.read(rows);
            }
        }
    }

    private RunRecord claim(
            Connection connection, String runId, String sha256, Map<String, String> fingerprints, Holder holder)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("update " + schema.table("run")
                + " set holder = ?, pid = ?, runbook_sha256 = ?, heartbeat_at = clock_timestamp(), state = 'pending',"
                + " ended_at = null, step_fingerprints = ?::jsonb where run_id = ? returning *")) {
            statement.setString(1, holder.userAtHost());
            statement.setLong(2, holder.pid());
            statement.setString(3, sha256);
            statement.setString(4, Json.write(fingerprints));
            statement.setString(5, runId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                CrashPoints.statementRan(connection, "lease: run " + runId + " claimed");
                return RunStore.read(rows);
            }
        }
    }

    /**
     * Which steps a changed runbook changed, added or removed against the fingerprints the run row keeps, and
     * for a changed step whether the run already completed it: a completed step is not run again, so its
     * change is not applied by this run. {@code changed: add-column (completed: not run again), fill (not run
     * yet); added: note-2; removed: old-check}.
     */
    private String changes(Connection connection, String runId, Map<String, String> now) throws SQLException {
        Map<String, String> then = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "select step_fingerprints::text from " + schema.table("run") + " where run_id = ?")) {
            statement.setString(1, runId);
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next() && rows.getString(1) != null) {
                    Json.read(rows.getString(1))
                            .fields()
                            .forEachRemaining(field ->
                                    then.put(field.getKey(), field.getValue().asText()));
                }
            }
        }
        if (then.isEmpty() || now.isEmpty()) {
            return "which steps changed is not known (the run began before Lockstep kept step fingerprints)";
        }
        Set<String> completed = new StepLedger(schema).completed(connection, runId);
        List<String> changed = new ArrayList<>();
        List<String> added = new ArrayList<>();
        now.forEach((step, fingerprint) -> {
            if (!then.containsKey(step)) {
                added.add(step);
            } else if (!then.get(step).equals(fingerprint)) {
                changed.add(step + (completed.contains(step) ? " (completed: not run again)" : " (not run yet)"));
            }
        });
        List<String> removed =
                then.keySet().stream().filter(step -> !now.containsKey(step)).toList();
        List<String> parts = new ArrayList<>();
        if (!changed.isEmpty()) {
            parts.add("changed: " + String.join(", ", changed));
        }
        if (!added.isEmpty()) {
            parts.add("added: " + String.join(", ", added));
        }
        if (!removed.isEmpty()) {
            parts.add("removed: " + String.join(", ", removed));
        }
        return parts.isEmpty() ? "no step changed (only what surrounds the steps)" : String.join("; ", parts);
    }

    private void appendHistory(
            Connection connection, String runId, String what, Holder holder, String reason, String previousSha)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("update " + schema.table("run")
                + " set history = history || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('at',"
                + " clock_timestamp(), 'event', ?::text, 'by', ?::text, 'pid', ?::bigint, 'reason', ?::text,"
                + " 'previous_sha256', ?::text))) where run_id = ?")) {
            statement.setString(1, what);
            statement.setString(2, holder.userAtHost());
            statement.setLong(3, holder.pid());
            statement.setString(4, reason);
            statement.setString(5, previousSha);
            statement.setString(6, runId);
            statement.executeUpdate();
        }
    }

    private static String abbreviate(String sha256) {
        return sha256.length() > 12 ? sha256.substring(0, 12) : sha256;
    }

    static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
