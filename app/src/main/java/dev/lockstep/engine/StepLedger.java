package dev.lockstep.engine;

import dev.lockstep.CrashPoints;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Which step attempts started and which ended, in the Lockstep schema. A transactional step writes its
 * end row in the same transaction as its SQL, so "started without an end" only ever means "in doubt" for
 * a step that ran (part of) its work outside a transaction.
 */
final class StepLedger {

    private final LockstepSchema schema;

    public StepLedger(LockstepSchema schema) {
        this.schema = schema;
    }

    /** The last recorded attempt of a step. */
    public record Entry(String stepId, int attempt, boolean ended, String result, Long rows, boolean transactional) {
        public boolean succeeded() {
            return ended && Results.OK.equals(result);
        }
    }

    /** The result texts the ledger uses. */
    public static final class Results {
        public static final String OK = "ok";
        public static final String FAILED = "failed";
        public static final String APPLIED_PER_VERIFY = "ok (in doubt, verify says applied)";
        /**
         * The prefix of a step the operator settled after it failed, without it succeeding: a roll-forward
         * took its place, or it was left out. The run goes on past it, as past a completed step.
         */
        public static final String SETTLED = "settled";

        private Results() {}
    }

    public Optional<Entry> last(Connection connection, String runId, String stepId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select step_id, attempt, ended_at is not null,"
                + " result, rows, transactional from " + schema.table("step_ledger")
                + " where run_id = ? and step_id = ? order by attempt desc limit 1")) {
            statement.setString(1, runId);
            statement.setString(2, stepId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                long rowCount = rows.getLong(5);
                return Optional.of(new Entry(
                        rows.getString(1),
                        rows.getInt(2),
                        rows.getBoolean(3),
                        rows.getString(4),
                        rows.wasNull() ? null : rowCount,
                        rows.getBoolean(6)));
            }
        }
    }

    /**
     * Records that a failed step was settled by a decision (rolled forward, left out): a row of its own after
     * the failed attempts, ended at once, so that a resumed run goes on past the step.
     */
    public void settle(Connection connection, String runId, String stepId, String how) throws SQLException {
        int attempt = start(connection, runId, stepId, true);
        end(connection, runId, stepId, attempt, Results.SETTLED + " (" + how + ")", null, how);
    }

    /** An attempt that completed its step: it succeeded (verify held), or a decision settled the step. */
    private static final String COMPLETED = "ended_at is not null and (result like 'ok%' or result like 'settled%')";

    /** Whether some attempt of the step succeeded, or a decision settled it (an earlier run may have retried it). */
    public boolean succeeded(Connection connection, String runId, String stepId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select exists (select 1 from "
                + schema.table("step_ledger") + " where run_id = ? and step_id = ? and " + COMPLETED + ")")) {
            statement.setString(1, runId);
            statement.setString(2, stepId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    /** The steps of the run that {@link #succeeded}, in one query. */
    public Set<String> completed(Connection connection, String runId) throws SQLException {
        Set<String> steps = new HashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "select distinct step_id from " + schema.table("step_ledger") + " where run_id = ? and " + COMPLETED)) {
            statement.setString(1, runId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    steps.add(rows.getString(1));
                }
            }
        }
        return steps;
    }

    /** Records the start of an attempt; returns its number. Runs in whatever transaction the connection has. */
    public int start(Connection connection, String runId, String stepId, boolean transactional) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("insert into " + schema.table("step_ledger")
                + " (run_id, step_id, attempt, transactional) values (?, ?, (select coalesce(max(attempt), 0) + 1"
                + " from " + schema.table("step_ledger")
                + " where run_id = ? and step_id = ?), ?) returning attempt")) {
            statement.setString(1, runId);
            statement.setString(2, stepId);
            statement.setString(3, runId);
            statement.setString(4, stepId);
            statement.setBoolean(5, transactional);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                int attempt = rows.getInt(1);
                CrashPoints.statementRan(connection, "ledger start " + stepId + " attempt " + attempt);
                return attempt;
            }
        }
    }

    /** Records the end of an attempt, in whatever transaction the connection has. */
    public void end(
            Connection connection, String runId, String stepId, int attempt, String result, Long rows, String detail)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("update " + schema.table("step_ledger")
                + " set ended_at = clock_timestamp(), result = ?, rows = ?, detail = ?"
                + " where run_id = ? and step_id = ? and attempt = ?")) {
            statement.setString(1, result);
            if (rows == null) {
                statement.setNull(2, java.sql.Types.BIGINT);
            } else {
                statement.setLong(2, rows);
            }
            statement.setString(3, detail);
            statement.setString(4, runId);
            statement.setString(5, stepId);
            statement.setInt(6, attempt);
            statement.executeUpdate();
        }
        CrashPoints.statementRan(connection, "ledger end " + stepId + " attempt " + attempt + " " + result);
    }
}
