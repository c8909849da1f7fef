package dev.lockstep.engine;

import dev.lockstep.CrashPoints;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads and updates run rows: state transitions, heartbeats and the progress shown by {@code status}. */
public final class RunStore {

    private final LockstepSchema schema;

    public RunStore(LockstepSchema schema) {
        this.schema = schema;
    }

    static String selectRuns(LockstepSchema schema) {
        // the failure column came with recovery: read through to_jsonb so that a schema made before it reads
        return "select run_id, runbook_id, database, runbook_sha256, holder, pid, started_at, heartbeat_at, state,"
                + " current_step, progress::text as progress, ended_at,"
                + " nullif(to_jsonb(r) -> 'failure', 'null'::jsonb)::text as failure from " + schema.table("run")
                + " r";
    }

    static RunRecord read(ResultSet rows) throws SQLException {
        return new RunRecord(
                rows.getString("run_id"),
                rows.getString("runbook_id"),
                rows.getString("database"),
                rows.getString("runbook_sha256"),
                rows.getString("holder"),
                rows.getLong("pid"),
                instant(rows.getTimestamp("started_at")),
                instant(rows.getTimestamp("heartbeat_at")),
                RunState.of(rows.getString("state")),
                rows.getString("current_step"),
                rows.getString("progress"),
                instant(rows.getTimestamp("ended_at")),
                rows.getString("failure"));
    }

    /**
     * Every run this database knows, newest first, with whether its holder still holds the lease and the age
     * of its heartbeat. Empty when the schema was never created.
     */
    public List<RunStatus> statuses(Connection connection) throws SQLException {
        List<RunStatus> runs = new ArrayList<>();
        if (!schema.exists(connection)) {
            return runs;
        }
        Set<Long> held = heldLeases(connection);
        java.util.Map<String, SecondApprovals.Wait> waits = new java.util.HashMap<>();
        for (SecondApprovals.Wait wait : new SecondApprovals(schema).waiting(connection)) {
            waits.put(wait.runId(), wait);
        }
        try (PreparedStatement statement = connection.prepareStatement("select r.*,"
                        + " (extract(epoch from clock_timestamp() - r.heartbeat_at) * 1000)::bigint as heartbeat_age_ms,"
                        + " r.database = current_database() as here from (" + selectRuns(schema) + ") r"
                        + " order by r.started_at desc");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                RunRecord run = read(rows);
                Boolean gone = run.state().active() && rows.getBoolean("here")
                        ? !held.contains(RunLease.lockKey(run.runbookId()))
                        : null;
                runs.add(new RunStatus(
                        run,
                        gone,
                        Duration.ofMillis(Math.max(0, rows.getLong("heartbeat_age_ms"))),
                        waits.get(run.runId())));
            }
        }
        return runs;
    }

    /** The advisory lock keys (bigint form) some session of this database holds: the leases in force. */
    private static Set<Long> heldLeases(Connection connection) throws SQLException {
        Set<Long> keys = new HashSet<>();
        try (PreparedStatement statement = connection.prepareStatement("select (l.classid::bigint << 32)"
                        + " | l.objid::bigint from pg_locks l where l.locktype = 'advisory' and l.granted"
                        + " and l.objsubid = 1 and l.database = (select oid from pg_database"
                        + " where datname = current_database())");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                keys.add(rows.getLong(1));
            }
        }
        return keys;
    }

    /** Records a state, the current step and a heartbeat in one statement. */
    public void update(Connection connection, String runId, RunState state, String currentStep) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("update " + schema.table("run")
                + " set state = ?, current_step = ?, heartbeat_at = clock_timestamp(),"
                + " ended_at = case when ? then clock_timestamp() end where run_id = ?")) {
            statement.setString(1, state.label());
            statement.setString(2, currentStep);
            statement.setBoolean(3, !state.active());
            statement.setString(4, runId);
            statement.executeUpdate();
        }
        CrashPoints.statementRan(connection, "run state " + state.label());
    }

    /**
     * Records the failure that waits for a decision (a JSON document), or clears it (null) once one was
     * taken: a run resumed later asks about it before anything else.
     */
    public void failure(Connection connection, String runId, String failureJson) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "update " + schema.table("run") + " set failure = ?::jsonb where run_id = ?")) {
            statement.setString(1, failureJson);
            statement.setString(2, runId);
            statement.executeUpdate();
        }
        CrashPoints.statementRan(connection, failureJson == null ? "run failure cleared" : "run failure recorded");
    }

    /** Records the step that starts, with a heartbeat; the state stays what it is. */
    public void step(Connection connection, String runId, String currentStep) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("update " + schema.table("run")
                + " set current_step = ?, heartbeat_at = clock_timestamp() where run_id = ?")) {
            statement.setString(1, currentStep);
            statement.setString(2, runId);
            statement.executeUpdate();
        }
    }

    /**
     * Heartbeat of the step in flight, with its progress document when there is one; cheap enough to ride
     * along in a batch's transaction.
     */
    public void heartbeat(Connection connection, String runId, String currentStep, String progressJson)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("update " + schema.table("run")
                + " set heartbeat_at = clock_timestamp(), current_step = ?,"
                + " progress = coalesce(?::jsonb, progress) where run_id = ?")) {
            statement.setString(1, currentStep);
            statement.setString(2, progressJson);
            statement.setString(3, runId);
            statement.executeUpdate();
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
