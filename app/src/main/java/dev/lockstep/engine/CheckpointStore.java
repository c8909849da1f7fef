package dev.lockstep.engine;

import dev.lockstep.CrashPoints;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Where each backfill stands. {@link #advance} is called inside the batch's own transaction and only
 * moves the checkpoint from the key the batch started at, so a batch and its checkpoint commit together
 * or not at all, and a runner working from a stale checkpoint is caught instead of repeating work.
 */
final class CheckpointStore {

    private final LockstepSchema schema;

    public CheckpointStore(LockstepSchema schema) {
        this.schema = schema;
    }

    /** A backfill's position; {@code lastKey} is null before the first batch. */
    public record Checkpoint(
            String lastKey, long keysDone, long rowsDone, long batches, boolean done, Instant updatedAt) {}

    /** The checkpoint, created empty when the backfill has none yet. */
    public Checkpoint open(Connection connection, String runId, String runbookId, String stepId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("insert into "
                + schema.table("backfill_checkpoint") + " (run_id, runbook_id, step_id) values (?, ?, ?)"
                + " on conflict (run_id, step_id) do nothing")) {
            statement.setString(1, runId);
            statement.setString(2, runbookId);
            statement.setString(3, stepId);
            statement.executeUpdate();
        }
        CrashPoints.statementRan(connection, "checkpoint of " + stepId + " opened");
        return read(connection, runId, stepId).orElseThrow();
    }

    public Optional<Checkpoint> read(Connection connection, String runId, String stepId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "select last_key, keys_done, rows_done, batches," + " done, updated_at from "
                        + schema.table("backfill_checkpoint") + " where run_id = ? and step_id = ?")) {
            statement.setString(1, runId);
            statement.setString(2, stepId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Checkpoint(
                        rows.getString(1),
                        rows.getLong(2),
                        rows.getLong(3),
                        rows.getLong(4),
                        rows.getBoolean(5),
                        rows.getTimestamp(6).toInstant()));
            }
        }
    }

    /**
     * Moves the checkpoint from {@code fromKey} to {@code toKey}; false when it was not at {@code fromKey}
     * (someone else moved it), in which case the caller must roll the batch back.
     */
    public boolean advance(
            Connection connection, String runId, String stepId, String fromKey, String toKey, long keys, long rows)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("update " + schema.table("backfill_checkpoint")
                + " set last_key = ?, keys_done = keys_done + ?, rows_done = rows_done + ?, batches = batches + 1,"
                + " updated_at = clock_timestamp() where run_id = ? and step_id = ? and not done"
                + " and last_key is not distinct from ?")) {
            statement.setString(1, toKey);
            statement.setLong(2, keys);
            statement.setLong(3, rows);
            statement.setString(4, runId);
            statement.setString(5, stepId);
            statement.setString(6, fromKey);
            return statement.executeUpdate() == 1;
        }
    }

    public void finish(Connection connection, String runId, String stepId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("update " + schema.table("backfill_checkpoint")
                + " set done = true, updated_at = clock_timestamp() where run_id = ? and step_id = ?")) {
            statement.setString(1, runId);
            statement.setString(2, stepId);
            statement.executeUpdate();
        }
    }
}
