package dev.lockstep.engine;

import dev.lockstep.CrashPoints;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * Where each backfill stands. {@link #advance} is called inside the batch's own transaction and only
 * moves the checkpoint from the key the batch started at, so a batch and its checkpoint commit together
 * or not at all, and a runner working from a stale checkpoint is caught instead of repeating work.
 */
final class CheckpointStore {

    /** A backfill's position; {@code lastKey} is null before the first batch. */
    public record Checkpoint(
            String lastKey, long keysDone, long rowsDone, long batches, boolean done, Instant updatedAt) {}

    private static final RowMapper<Checkpoint> CHECKPOINT = ConstructorMapper.of(Checkpoint.class);

    private final LockstepSchema schema;

    public CheckpointStore(LockstepSchema schema) {
        this.schema = schema;
    }

    private static final String OPEN =
            """
            insert into <backfill_checkpoint> (run_id, runbook_id, step_id)
            values (:runId, :runbookId, :stepId)
            on conflict (run_id, step_id) do nothing
            """;

    /** The checkpoint, created empty when the backfill has none yet. */
    public Checkpoint open(Connection connection, String runId, String runbookId, String stepId) throws SQLException {
        schema.useHandle(connection, handle -> handle.createUpdate(OPEN)
                .bind("runId", runId)
                .bind("runbookId", runbookId)
                .bind("stepId", stepId)
                .execute());
        CrashPoints.statementRan(connection, "checkpoint of " + stepId + " opened");
        return read(connection, runId, stepId).orElseThrow();
    }

    private static final String READ =
            """
            select last_key, keys_done, rows_done, batches, done, updated_at
              from <backfill_checkpoint>
             where run_id = :runId and step_id = :stepId
            """;

    public Optional<Checkpoint> read(Connection connection, String runId, String stepId) throws SQLException {
        return schema.withHandle(connection, handle -> handle.createQuery(READ)
                .bind("runId", runId)
                .bind("stepId", stepId)
                .map(CHECKPOINT)
                .findOne());
    }

    private static final String ADVANCE =
            """
            update <backfill_checkpoint>
               set last_key = :toKey, keys_done = keys_done + :keys, rows_done = rows_done + :rows,
                   batches = batches + 1, updated_at = clock_timestamp()
             where run_id = :runId and step_id = :stepId and not done
               and last_key is not distinct from :fromKey
            """;

    /**
     * Moves the checkpoint from {@code fromKey} to {@code toKey}; false when it was not at {@code fromKey}
     * (someone else moved it), in which case the caller must roll the batch back.
     */
    public boolean advance(
            Connection connection, String runId, String stepId, String fromKey, String toKey, long keys, long rows)
            throws SQLException {
        int moved = schema.withHandle(connection, handle -> handle.createUpdate(ADVANCE)
                .bind("toKey", toKey)
                .bind("keys", keys)
                .bind("rows", rows)
                .bind("runId", runId)
                .bind("stepId", stepId)
                .bind("fromKey", fromKey)
                .execute());
        return moved == 1;
    }

    private static final String FINISH =
            """
            update <backfill_checkpoint>
               set done = true, updated_at = clock_timestamp()
             where run_id = :runId and step_id = :stepId
            """;

    public void finish(Connection connection, String runId, String stepId) throws SQLException {
        schema.useHandle(connection, handle -> handle.createUpdate(FINISH)
                .bind("runId", runId)
                .bind("stepId", stepId)
                .execute());
    }
}
