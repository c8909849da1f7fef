package dev.lockstep.engine;

import dev.lockstep.runbook.BackfillStep.KeyType;
import dev.lockstep.runbook.sql.SqlStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * A backfill batch as one statement, sent in auto-commit: one round trip and one commit per batch, where
 * the bound query, the step's statement, the checkpoint update and the commit took four. Its data-modifying
 * CTEs share one snapshot and one transaction:
 *
 * <ol>
 *   <li>the bound: the {@code size}-th key after {@code :from}; when fewer keys remain, the last of them and
 *       their number; when none does, {@code :from} itself and 0 keys (an empty range, per the contract that
 *       a batch covers {@code key > :from and key <= :to});
 *   <li>the step's statement with {@code :to} read from the bound, its rows counted through {@code RETURNING};
 *   <li>the checkpoint moved from {@code :from} to the bound (and marked done when no key followed).
 * </ol>
 *
 * <p>The checkpoint's guard has to undo the step's statement when it fails, so it fails the whole statement:
 * when the checkpoint is no longer at {@code :from} (another runner moved it, or it is done), when no key
 * followed and yet the statement changed rows, or when the checkpoint row is gone, the statement writes a
 * null {@code keys_done} (or inserts a row without a key) and PostgreSQL rejects it with a not-null violation
 * on the checkpoint table: nothing of the batch commits. {@link #refusedByCheckpoint} recognises that error;
 * the worker then takes the batch the classic way, which says what happened as before.
 *
 * <p>Some statements cannot stand in a CTE (a {@code WITH} that itself modifies data, a table whose rules
 * refuse {@code RETURNING}, {@code MERGE} before PostgreSQL 17): the server refuses them when it parses the
 * statement, before anything ran ({@link #cannotEmbed}), and the worker goes on with separate round trips.
 */
final class FusedBatch {

    /** The batch size in the statement, as a literal: see {@link #sql(int)}. */
    private static final String SIZE = "/*size*/";

    private static final String NTH = "/*size-1*/";

    /** The statement up to the step's own, with the size to fill in; the rest of it. */
    private final String head;

    private final String rest;
    private int size = -1;
    private String sized;
    private final String checkpointSchema;
    private final String checkpointTable;
    /** The step's own parameters, in order ({@code from} only: {@code :to} is inlined). */
    private final List<String> statementParameters;

    private FusedBatch(
            String head,
            String rest,
            String checkpointSchema,
            String checkpointTable,
            List<String> statementParameters) {
        this.head = head;
        this.rest = rest;
        this.checkpointSchema = checkpointSchema;
        this.checkpointTable = checkpointTable;
        this.statementParameters = statementParameters;
    }

    /** The fused form of {@code statement}; {@code table} and {@code key} as ready for SQL. */
    static FusedBatch of(LockstepSchema schema, String table, String key, SqlStatement statement) {
        SqlStatement.Bound bound =
                statement.bindNamed(List.of("from"), Map.of("to", "(SELECT lockstep_to FROM lockstep_bound)"));
        String checkpoint = schema.table("backfill_checkpoint");
        String head = "WITH lockstep_nth AS MATERIALIZED ("
                + " SELECT " + key + " AS lockstep_key FROM " + table + " WHERE " + key + " > ?"
                + " ORDER BY " + key + " OFFSET " + NTH + " LIMIT 1),\n"
                // the tail (fewer than size keys left) is read only when the nth key is missing: the subqueries of
                // coalesce run lazily, and the count is bounded by size so that it stays on the index
                + "lockstep_bound AS MATERIALIZED (SELECT"
                + " coalesce((SELECT lockstep_key FROM lockstep_nth),"
                + " (SELECT " + key + " FROM " + table + " WHERE " + key + " > ? ORDER BY " + key + " DESC LIMIT 1),"
                + " ?) AS lockstep_to,"
                + " coalesce((SELECT " + SIZE + "::bigint FROM lockstep_nth),"
                + " (SELECT count(*) FROM (SELECT 1 FROM " + table + " WHERE " + key + " > ? ORDER BY " + key
                + " LIMIT " + SIZE + ") lockstep_tail)) AS lockstep_keys),\n"
                + "lockstep_rows AS (\n";
        String rest = bound.jdbcSql() + (statement.returnsRows() ? "" : "\nRETURNING 1") + "\n),\n"
                + "lockstep_count AS MATERIALIZED (SELECT count(*) AS lockstep_rows FROM lockstep_rows),\n"
                + "lockstep_checkpoint AS (UPDATE " + checkpoint + " AS c SET"
                + " last_key = (SELECT lockstep_to::text FROM lockstep_bound),"
                + " keys_done = CASE WHEN c.last_key = ? AND NOT c.done"
                + " AND ((SELECT lockstep_keys FROM lockstep_bound) > 0"
                + " OR (SELECT lockstep_rows FROM lockstep_count) = 0)"
                + " THEN c.keys_done + (SELECT lockstep_keys FROM lockstep_bound) END,"
                + " rows_done = c.rows_done + (SELECT lockstep_rows FROM lockstep_count),"
                + " batches = c.batches + CASE WHEN (SELECT lockstep_keys FROM lockstep_bound) > 0 THEN 1 ELSE 0 END,"
                + " done = (SELECT lockstep_keys FROM lockstep_bound) = 0,"
                + " updated_at = clock_timestamp()"
                + " WHERE c.run_id = ? AND c.step_id = ?"
                + " RETURNING c.keys_done, c.rows_done, c.batches, c.done),\n"
                + "lockstep_missing AS (INSERT INTO " + checkpoint + " (run_id)"
                + " SELECT NULL WHERE NOT EXISTS (SELECT FROM lockstep_checkpoint))\n"
                + "SELECT b.lockstep_to::text, b.lockstep_keys, n.lockstep_rows,"
                + " c.keys_done, c.rows_done, c.batches, c.done"
                + " FROM lockstep_bound b, lockstep_count n, lockstep_checkpoint c";
        return new FusedBatch(head, rest, schema.name(), "backfill_checkpoint", bound.parameterNames());
    }

    /**
     * What a committed fused batch did: the keys {@code (from, to]} ({@code keys} 0 when none followed
     * {@code from}: the backfill is done), the rows the statement changed, and the checkpoint after it.
     */
    record Outcome(String to, long keys, long rows, CheckpointStore.Checkpoint checkpoint) {}

    /** Runs one batch of up to {@code size} keys after {@code from}; committed when it returns. */
    Outcome run(
            Connection connection, RunContext run, KeyType keyType, String from, int size, String runId, String stepId)
            throws SQLException {
        try (PreparedStatement batch = connection.prepareStatement(sql(size))) {
            int index = 1;
            BackfillKeys.bind(keyType, batch, index++, from);
            BackfillKeys.bind(keyType, batch, index++, from);
            BackfillKeys.bind(keyType, batch, index++, from);
            BackfillKeys.bind(keyType, batch, index++, from);
            for (String ignored : statementParameters) {
                BackfillKeys.bind(keyType, batch, index++, from);
            }
            batch.setString(index++, from);
            batch.setString(index++, runId);
            batch.setString(index, stepId);
            run.inFlight(batch);
            try (ResultSet rows = batch.executeQuery()) {
                rows.next();
                return new Outcome(
                        rows.getString(1),
                        rows.getLong(2),
                        rows.getLong(3),
                        new CheckpointStore.Checkpoint(
                                rows.getString(1),
                                rows.getLong(4),
                                rows.getLong(5),
                                rows.getLong(6),
                                rows.getBoolean(7),
                                Instant.now()));
            } finally {
                run.inFlight(null);
            }
        }
    }

    /**
     * The statement for batches of {@code size} keys. The size is written into it as a literal rather than bound:
     * with {@code OFFSET ?} and {@code LIMIT ?} the planner prices a generic plan for an unknown offset (a tenth of
     * the table) and so plans every batch afresh (0.3 ms of a 4 ms batch of 1,000 keys); with literals the driver's
     * server-side prepared statement gets a generic plan as good as the custom one, planned once per size.
     */
    private String sql(int size) {
        if (size != this.size) {
            this.size = size;
            this.sized = head.replace(NTH, Integer.toString(size - 1)).replace(SIZE, Integer.toString(size)) + rest;
        }
        return sized;
    }

    /** The checkpoint's guard failed the statement: nothing of the batch committed. */
    boolean refusedByCheckpoint(SQLException e) {
        Optional<ServerErrorMessage> server = server(e);
        return SqlStates.of(e).equals(SqlStates.NOT_NULL_VIOLATION)
                && server.isPresent()
                && checkpointSchema.equals(server.get().getSchema())
                && checkpointTable.equals(server.get().getTable());
    }

    /** The server refused the statement inside a CTE (when it parsed it: nothing ran). */
    static boolean cannotEmbed(SQLException e) {
        String state = SqlStates.of(e);
        return state.equals(SqlStates.FEATURE_NOT_SUPPORTED) || state.equals(SqlStates.SYNTAX_ERROR);
    }

    private static Optional<ServerErrorMessage> server(SQLException e) {
        return e instanceof PSQLException psql ? Optional.ofNullable(psql.getServerErrorMessage()) : Optional.empty();
    }
}
