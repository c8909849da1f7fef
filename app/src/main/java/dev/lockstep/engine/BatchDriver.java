package dev.lockstep.engine;

import dev.lockstep.runbook.BackfillStep.KeyType;
import dev.lockstep.runbook.sql.SqlStatement;
import java.sql.Array;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The server-side batch driver: a procedure in Lockstep's schema that runs a backfill's batches, each with its
 * checkpoint move in its own transaction (COMMIT inside the procedure, called with CALL in auto-commit), for a
 * bounded time slice, then returns what it did. A batch that runs in the server costs no round trip, which on
 * one machine is what kept a client that sends one statement per batch from the speed of a loop inside the
 * server (docs/benchmarks.md).
 *
 * <p>Each batch keeps the guard of every other path: its checkpoint moves only from the key this runner passed
 * in (and, batch by batch, from the key the procedure itself moved it to); when the checkpoint is elsewhere or
 * done, the procedure rolls that batch back and returns {@code refused}. The slice is short
 * ({@link #SLICE}) so that a call whose client died (kill -9) ends soon: the session also checks its client
 * ({@code client_connection_check_interval}, PostgreSQL 14 and later), and until it ends that session still
 * holds the run's lease, so no other run can start.
 *
 * <p>The step's statement, the bound and the tail queries run by {@code EXECUTE ... USING} with the keys as
 * text cast to the key's type in the SQL ({@code $1::uuid}), as the checkpoint stores them: the same rows, the
 * same encoding, so a run can go from one path to the other and resume on either.
 */
final class BatchDriver {

    /** The procedure's name, versioned: change the name when the procedure changes. */
    static final String PROCEDURE = "backfill_slice_v1";

    /**
     * How long one call runs batches before it returns. Reaction does not wait for it (a pause, a stop or a
     * criterion cancels the call, see {@link BackfillWorker}); it bounds what an orphaned call does after its
     * client died.
     */
    static final Duration SLICE = Duration.ofMillis(250);

    private final String call;
    private final String boundSql;
    private final String tailSql;
    private final String statementSql;

    private BatchDriver(String call, String boundSql, String tailSql, String statementSql) {
        this.call = call;
        this.boundSql = boundSql;
        this.tailSql = tailSql;
        this.statementSql = statementSql;
    }

    /** The driver for {@code statement} over {@code table}'s {@code key} (both ready for SQL). */
    static BatchDriver of(LockstepSchema schema, String table, String key, KeyType keyType, SqlStatement statement) {
        String cast =
                switch (keyType) {
                    case INTEGER -> "bigint";
                    case UUID -> "uuid";
                    case TEXT -> "text";
                };
        String from = "$1::" + cast;
        String after = "select " + key + " as lockstep_key from " + table + " where " + key + " > " + from
                + " order by " + key;
        // the size-th key after :from; when fewer remain, the last of them and their number
        String bound = "select lockstep_key::text from (" + after + " offset $2 limit 1) lockstep_nth";
        String tail = "select lockstep_key::text, count(*) over () from (" + after
                + " limit $2) lockstep_tail order by lockstep_key desc limit 1";
        String sql = statement.inlineNamed(Map.of("from", from, "to", "$2::" + cast));
        return new BatchDriver(
                "call " + schema.table(PROCEDURE) + "(?, ?, ?, ?, ?, ?, ?, ?, null, null, null, null, null)",
                bound,
                tail,
                sql);
    }

    /** What a call did: the batches it committed, in order, and how it ended. */
    record Slice(List<Batch> batches, Ending ending) {}

    /** One committed batch: the keys {@code (previous end, end]}, the rows, the time it took in the server. */
    record Batch(String end, long keys, long rows, long nanos) {}

    enum Ending {
        /** The slice's time was up; more keys may follow. */
        SLICE,
        /** No key followed: the checkpoint is marked done. */
        DONE,
        /** The checkpoint was not where this runner had it: that batch rolled back. */
        REFUSED
    }

    /**
     * Runs batches of {@code size} keys after {@code from} for one slice; what it returns has committed.
     * {@code inFlight} is told the call while it runs (and null after), for whoever may cancel it.
     */
    Slice run(Connection connection, Consumer<Statement> inFlight, String from, int size, String runId, String stepId)
            throws SQLException {
        try (CallableStatement slice = connection.prepareCall(call)) {
            slice.setString(1, runId);
            slice.setString(2, stepId);
            slice.setString(3, from);
            slice.setInt(4, size);
            slice.setInt(5, (int) SLICE.toMillis());
            slice.setString(6, boundSql);
            slice.setString(7, tailSql);
            slice.setString(8, statementSql);
            inFlight.accept(slice);
            try (ResultSet result = slice.executeQuery()) {
                result.next();
                String[] ends = strings(result.getArray(1));
                Long[] keys = longs(result.getArray(2));
                Long[] rows = longs(result.getArray(3));
                Long[] micros = longs(result.getArray(4));
                List<Batch> batches = new ArrayList<>(ends.length);
                for (int i = 0; i < ends.length; i++) {
                    batches.add(new Batch(ends[i], keys[i], rows[i], micros[i] * 1000));
                }
                return new Slice(
                        List.copyOf(batches), Ending.valueOf(result.getString(5).toUpperCase(Locale.ROOT)));
            } finally {
                inFlight.accept(null);
            }
        }
    }

    private static String[] strings(Array array) throws SQLException {
        return array == null ? new String[0] : (String[]) array.getArray();
    }

    private static Long[] longs(Array array) throws SQLException {
        return array == null ? new Long[0] : (Long[]) array.getArray();
    }

    /**
     * From PostgreSQL 14, the server checks the client of a running call every 100 ms and ends the call when it is
     * gone (kill -9, a lost network) instead of running the slice out.
     */
    static void checkClient(Connection connection) throws SQLException {
        if (connection.getMetaData().getDatabaseMajorVersion() >= 14) {
            try (Statement settings = connection.createStatement()) {
                settings.execute("set client_connection_check_interval = '100ms'");
            }
        }
    }

    /**
     * Whether backfills may use the driver: yes unless {@code -Dlockstep.batchDriver=off} (in
     * {@code LOCKSTEP_JAVA_OPTS}), which keeps every batch on the client's paths, to compare them or as a way out.
     */
    static boolean enabled() {
        return !"off".equals(System.getProperty("lockstep.batchDriver"));
    }

    /** A slice's bound: none when the step has none (0), as for its batches on the other paths. */
    static Duration callTimeout(Duration statementTimeout) {
        return statementTimeout == null || statementTimeout.isZero() ? Duration.ZERO : SLICE.plus(statementTimeout);
    }

    /** The server could not run the step's statement (or the driver) this way: nothing of that batch ran. */
    static boolean cannotDrive(SQLException e) {
        String state = SqlStates.of(e);
        return state.startsWith("42") || state.startsWith("0A");
    }

    /** The procedure, for {@link LockstepSchema#ensureBatchDriver}. */
    static String procedure(LockstepSchema schema) {
        return """
                create or replace procedure SCHEMA.PROCEDURE(
                    p_run_id text, p_step_id text, p_from text, p_size int, p_slice_ms int,
                    p_bound text, p_tail text, p_statement text,
                    inout batch_ends text[] default null, inout batch_keys bigint[] default null,
                    inout batch_rows bigint[] default null, inout batch_micros bigint[] default null,
                    inout outcome text default null)
                language plpgsql as $lockstep$
                declare
                    slice_end timestamptz := clock_timestamp() + make_interval(secs => p_slice_ms / 1000.0);
                    batch_start timestamptz;
                    lo text := p_from;
                    hi text;
                    n_keys bigint;
                    n_rows bigint;
                begin
                    batch_ends := '{}'; batch_keys := '{}'; batch_rows := '{}'; batch_micros := '{}';
                    loop
                        batch_start := clock_timestamp();
                        hi := null;
                        execute p_bound into hi using lo, p_size - 1;
                        n_keys := p_size;
                        if hi is null then
                            execute p_tail into hi, n_keys using lo, p_size;
                        end if;
                        if hi is null then
                            -- no key follows: done, from where this runner has the checkpoint only
                            update SCHEMA.backfill_checkpoint set done = true, updated_at = clock_timestamp()
                                where run_id = p_run_id and step_id = p_step_id and last_key = lo and not done;
                            outcome := case when found then 'done' else 'refused' end;
                            return;
                        end if;
                        execute p_statement using lo, hi;
                        get diagnostics n_rows = row_count;
                        update SCHEMA.backfill_checkpoint set last_key = hi, keys_done = keys_done + n_keys,
                                rows_done = rows_done + n_rows, batches = batches + 1,
                                updated_at = clock_timestamp()
                            where run_id = p_run_id and step_id = p_step_id and last_key = lo and not done;
                        if not found then
                            -- the checkpoint is not where this runner has it: nothing of this batch stays
                            rollback;
                            outcome := 'refused';
                            return;
                        end if;
                        commit;
                        batch_ends := batch_ends || hi;
                        batch_keys := batch_keys || n_keys;
                        batch_rows := batch_rows || n_rows;
                        batch_micros := batch_micros
                            || (extract(epoch from clock_timestamp() - batch_start) * 1000000)::bigint;
                        lo := hi;
                        exit when clock_timestamp() >= slice_end;
                    end loop;
                    outcome := 'slice';
                end
                $lockstep$"""
                .replace("SCHEMA", schema.name())
                .replace("PROCEDURE", PROCEDURE);
    }
}
