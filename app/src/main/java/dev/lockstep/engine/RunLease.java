package dev.lockstep.engine;

import dev.lockstep.CrashPoints;
import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
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
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;

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
     *
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
        return schema.withHandle(connection, handle -> {
            if (!tryLock(handle)) {
                throw refusal(handle);
            }
            try {
                return acquireLocked(handle, runbookSha256, fingerprints, holder, acceptChangedReason);
            } catch (SQLException | RuntimeException e) {
                unlockQuietly(handle);
                throw e;
            }
        });
    }

    private Outcome acquireLocked(
            Handle handle,
            String runbookSha256,
            Map<String, String> fingerprints,
            Holder holder,
            String acceptChangedReason)
            throws SQLException {
        Optional<RunRecord> latest = RunStore.latest(handle, runbookId);
        if (latest.isPresent() && latest.get().state() == RunState.DONE) {
            unlock(handle);
            return new AlreadyDone(latest.get());
        }
        if (latest.isEmpty() || latest.get().state().isFinal()) {
            // never run, or the last run was rolled back or abandoned: a new run starts afresh
            return new Acquired(insert(handle, runbookSha256, fingerprints, holder), false, Optional.empty(), null);
        }
        RunRecord previous = latest.get();
        String changes = null;
        if (!previous.runbookSha256().equals(runbookSha256)) {
            changes = changes(handle, previous.runId(), fingerprints);
            if (acceptChangedReason == null || acceptChangedReason.isBlank()) {
                throw LockstepException.usage("runbook " + runbookId + " changed since run " + previous.runId()
                        + " began (sha256 " + abbreviate(previous.runbookSha256()) + " then, "
                        + abbreviate(runbookSha256) + " now): " + changes + "; to continue with the changed"
                        + " runbook, run again with --accept-changed-runbook REASON");
            }
            appendHistory(
                    handle,
                    previous.runId(),
                    "accepted_changed_runbook",
                    holder,
                    acceptChangedReason,
                    previous.runbookSha256());
        }
        boolean takeover = previous.state().active();
        if (takeover) {
            appendHistory(
                    handle,
                    previous.runId(),
                    "takeover",
                    holder,
                    "previous holder " + previous.holderDescription() + " gone (advisory lock free), state "
                            + previous.state().label(),
                    previous.runbookSha256());
        }
        RunRecord resumed = claim(handle, previous.runId(), runbookSha256, fingerprints, holder);
        return new Acquired(resumed, true, takeover ? Optional.of(previous) : Optional.empty(), changes);
    }

    private static final String RECLAIM =
            """
            update <run> set holder = :holder, pid = :pid, heartbeat_at = clock_timestamp()
             where run_id = :runId
            """;

    /** After a reconnect: the lease must be taken again on the new control session before any work. */
    public void reacquire(Connection connection, String runId, Holder holder) throws SQLException {
        schema.useHandle(connection, handle -> {
            if (!tryLock(handle)) {
                throw refusal(handle);
            }
            appendHistory(handle, runId, "reconnected", holder, "control session re-established", null);
            handle.createUpdate(RECLAIM)
                    .bind("holder", holder.userAtHost())
                    .bind("pid", holder.pid())
                    .bind("runId", runId)
                    .execute();
        });
    }

    /** Gives the advisory lock back; the run row keeps its final state. */
    public void release(Connection connection) throws SQLException {
        schema.useHandle(connection, this::unlock);
    }

    private boolean tryLock(Handle handle) {
        return handle.select("select pg_try_advisory_lock(?)", lockKey)
                .mapTo(boolean.class)
                .one();
    }

    private void unlock(Handle handle) {
        handle.select("select pg_advisory_unlock(?)", lockKey)
                .mapTo(boolean.class)
                .one();
    }

    private void unlockQuietly(Handle handle) {
        try {
            if (!handle.getConnection().isClosed()) {
                unlock(handle);
            }
        } catch (SQLException | JdbiException ignored) {
            // the session is gone, and its advisory lock with it
        }
    }

    private LockstepException refusal(Handle handle) {
        String holderText = RunStore.latest(handle, runbookId)
                .filter(run -> !run.state().isFinal())
                .map(run -> "run " + run.runId() + " held by " + run.holderDescription() + " since "
                        + run.startedAt() + " (state " + run.state().label() + ", heartbeat "
                        + Duration.between(run.heartbeatAt(), Instant.now()).toSeconds() + "s ago)")
                .orElseGet(() -> "held by " + lockHolderSession(handle));
        return new LockstepException(
                ExitCode.STOPPED, "runbook " + runbookId + " is already running on this database: " + holderText);
    }

    /** The session that holds a lease's advisory lock, as pg_stat_activity names it. */
    private record LockSession(int pid, String usename, String clientAddr, String applicationName) {
        @Override
        public String toString() {
            return "backend " + pid + " (" + usename + " from " + clientAddr + ", " + applicationName + ")";
        }
    }

    private static final String LOCK_SESSION =
            """
            select a.pid, coalesce(a.usename, '?') as usename,
                   coalesce(a.client_addr::text, 'local') as client_addr,
                   coalesce(a.application_name, '') as application_name
              from pg_locks l join pg_stat_activity a on a.pid = l.pid
             where l.locktype = 'advisory' and l.granted
               and l.database = (select oid from pg_database where datname = current_database())
               and ((l.classid::bigint << 32) | l.objid::bigint) = :lockKey
            """;

    /** When the row does not name a holder yet (it is being written), the lock's session does. */
    private String lockHolderSession(Handle handle) {
        try {
            return handle.createQuery(LOCK_SESSION)
                    .bind("lockKey", lockKey)
                    .map((rows, context) -> new LockSession(
                            rows.getInt("pid"),
                            rows.getString("usename"),
                            rows.getString("client_addr"),
                            rows.getString("application_name")))
                    .findFirst()
                    .map(LockSession::toString)
                    .orElse("another session");
        } catch (JdbiException e) {
            return "another session";
        }
    }

    private static final String INSERT =
            """
            insert into <run> (run_id, runbook_id, database, runbook_sha256, holder, pid, state,
                               step_fingerprints)
            values (:runId, :runbookId, current_database(), :sha256, :holder, :pid, 'pending',
                    :fingerprints::jsonb)
            returning *
            """;

    private RunRecord insert(Handle handle, String sha256, Map<String, String> fingerprints, Holder holder) {
        String runId = RUN_ID_TIME.format(Instant.now()) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
        RunRecord run = handle.createQuery(INSERT)
                .bind("runId", runId)
                .bind("runbookId", runbookId)
                .bind("sha256", sha256)
                .bind("holder", holder.userAtHost())
                .bind("pid", holder.pid())
                .bind("fingerprints", Json.write(fingerprints))
                .map(RunStore.RUN)
                .one();
        CrashPoints.statementRan(handle.getConnection(), "lease: run " + runId + " inserted");
        return run;
    }

    private static final String CLAIM =
            """
            update <run>
               set holder = :holder, pid = :pid, runbook_sha256 = :sha256, heartbeat_at = clock_timestamp(),
                   state = 'pending', ended_at = null, step_fingerprints = :fingerprints::jsonb
             where run_id = :runId
            returning *
            """;

    private RunRecord claim(
            Handle handle, String runId, String sha256, Map<String, String> fingerprints, Holder holder) {
        RunRecord run = handle.createQuery(CLAIM)
                .bind("holder", holder.userAtHost())
                .bind("pid", holder.pid())
                .bind("sha256", sha256)
                .bind("fingerprints", Json.write(fingerprints))
                .bind("runId", runId)
                .map(RunStore.RUN)
                .one();
        CrashPoints.statementRan(handle.getConnection(), "lease: run " + runId + " claimed");
        return run;
    }

    /**
     * Which steps a changed runbook changed, added or removed against the fingerprints the run row keeps, and
     * for a changed step whether the run already completed it: a completed step is not run again, so its
     * change is not applied by this run. {@code changed: add-column (completed: not run again), fill (not run
     * yet); added: note-2; removed: old-check}.
     */
    private String changes(Handle handle, String runId, Map<String, String> now) throws SQLException {
        Map<String, String> then = new LinkedHashMap<>();
        handle.createQuery("select step_fingerprints::text from <run> where run_id = :runId")
                .bind("runId", runId)
                .mapTo(String.class)
                .findFirst()
                .ifPresent(fingerprints -> Json.read(fingerprints)
                        .fields()
                        .forEachRemaining(field ->
                                then.put(field.getKey(), field.getValue().asText())));
        if (then.isEmpty() || now.isEmpty()) {
            return "which steps changed is not known (the run began before Lockstep kept step fingerprints)";
        }
        Set<String> completed = new StepLedger(schema).completed(handle.getConnection(), runId);
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

    private static final String APPEND_HISTORY =
            """
            update <run>
               set history = history || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
                       'at', clock_timestamp(), 'event', :what::text, 'by', :by::text, 'pid', :pid::bigint,
                       'reason', :reason::text, 'previous_sha256', :previousSha::text)))
             where run_id = :runId
            """;

    private void appendHistory(
            Handle handle, String runId, String what, Holder holder, String reason, String previousSha) {
        handle.createUpdate(APPEND_HISTORY)
                .bind("what", what)
                .bind("by", holder.userAtHost())
                .bind("pid", holder.pid())
                .bind("reason", reason)
                .bind("previousSha", previousSha)
                .bind("runId", runId)
                .execute();
    }

    private static String abbreviate(String sha256) {
        return sha256.length() > 12 ? sha256.substring(0, 12) : sha256;
    }
}
