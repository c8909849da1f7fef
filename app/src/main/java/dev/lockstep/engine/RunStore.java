package dev.lockstep.engine;

import dev.lockstep.CrashPoints;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads and updates run rows: state transitions, heartbeats and the progress shown by {@code status}. */
public final class RunStore {

    private final LockstepSchema schema;

    public RunStore(LockstepSchema schema) {
        this.schema = schema;
    }

    static String selectRuns(LockstepSchema schema) {
        return "select run_id, runbook_id, database, runbook_sha256, holder, pid, started_at, heartbeat_at, state,"
                + " current_step, progress::text as progress, ended_at from " + schema.table("run");
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
                instant(rows.getTimestamp("ended_at")));
    }

    /** Every run this database knows, newest first. Empty when the schema was never created. */
    public List<RunRecord> all(Connection connection) throws SQLException {
        List<RunRecord> runs = new ArrayList<>();
        if (!schema.exists(connection)) {
            return runs;
        }
        try (PreparedStatement statement =
                        connection.prepareStatement(selectRuns(schema) + " order by started_at desc");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                runs.add(read(rows));
            }
        }
        return runs;
    }

    /** Records a state, the current step and a heartbeat in one statement. */
    public void update(Connection connection, String runId, RunState state, String currentStep) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("update " + schema.table("run")
                + " set state = ?, current_step = ?, heartbeat_at = clock_timestamp(),"
                + " ended_at = case when ? then clock_timestamp() end where run_id = ?")) {
            statement.setString(1, state.label());
            statement.setString(2, currentStep);
            statement.setBoolean(3, state == RunState.DONE || state == RunState.STOPPED || state == RunState.FAILED);
            statement.setString(4, runId);
            statement.executeUpdate();
        }
        CrashPoints.statementRan(connection, "run state " + state.label());
    }

    /** Heartbeat with the progress document; cheap enough to ride along in a batch's transaction. */
    public void heartbeat(Connection connection, String runId, String progressJson) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("update " + schema.table("run")
                + " set heartbeat_at = clock_timestamp(), progress = coalesce(?::jsonb, progress) where run_id = ?")) {
            statement.setString(1, progressJson);
            statement.setString(2, runId);
            statement.executeUpdate();
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
