package dev.lockstep.engine;

import dev.lockstep.CrashPoints;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * Which step attempts started and which ended, in the Lockstep schema. A transactional step writes its
 * end row in the same transaction as its SQL, so "started without an end" only ever means "in doubt" for
 * a step that ran (part of) its work outside a transaction.
 */
final class StepLedger {

    private static final RowMapper<Entry> ENTRY = ConstructorMapper.of(Entry.class);

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

    private static final String LAST =
            """
            select step_id, attempt, ended_at is not null as ended, result, rows, transactional
              from <step_ledger>
             where run_id = :runId and step_id = :stepId
             order by attempt desc limit 1
            """;

    public Optional<Entry> last(Connection connection, String runId, String stepId) throws SQLException {
        return schema.withHandle(connection, handle -> handle.createQuery(LAST)
                .bind("runId", runId)
                .bind("stepId", stepId)
                .map(ENTRY)
                .findOne());
    }

    /**
     * Records that a failed step was settled by a decision (rolled forward, left out): a row of its own after
     * the failed attempts, ended at once, so that a resumed run goes on past the step.
     */
    public void settle(Connection connection, String runId, String stepId, String how) throws SQLException {
        int attempt = start(connection, runId, stepId, true);
        end(connection, runId, stepId, attempt, Results.SETTLED + " (" + how + ")", null, how);
    }

    /** An attempt that completed its step: it succeeded (verify held), or a decision settled it. */
    private static final String COMPLETED = "ended_at is not null and (result like 'ok%' or result like 'settled%')";

    private static final String SUCCEEDED = "select exists (select 1 from <step_ledger>"
            + " where run_id = :runId and step_id = :stepId and " + COMPLETED + ")";

    /** Whether some attempt of the step succeeded, or a decision settled it (an earlier run may have retried it). */
    public boolean succeeded(Connection connection, String runId, String stepId) throws SQLException {
        return schema.withHandle(connection, handle -> handle.createQuery(SUCCEEDED)
                .bind("runId", runId)
                .bind("stepId", stepId)
                .mapTo(boolean.class)
                .one());
    }

    private static final String COMPLETED_STEPS =
            "select distinct step_id from <step_ledger> where run_id = :runId and " + COMPLETED;

    /** The steps of the run that {@link #succeeded}, in one query. */
    public Set<String> completed(Connection connection, String runId) throws SQLException {
        return schema.withHandle(connection, handle -> handle.createQuery(COMPLETED_STEPS)
                .bind("runId", runId)
                .mapTo(String.class)
                .set());
    }

    private static final String START =
            """
            insert into <step_ledger> (run_id, step_id, attempt, transactional)
            values (:runId, :stepId,
                    (select coalesce(max(attempt), 0) + 1 from <step_ledger> where run_id = :runId and step_id = :stepId),
                    :transactional)
            returning attempt
            """;

    /** Records the start of an attempt; returns its number. Runs in whatever transaction the connection has. */
    public int start(Connection connection, String runId, String stepId, boolean transactional) throws SQLException {
        int attempt = schema.withHandle(connection, handle -> handle.createQuery(START)
                .bind("runId", runId)
                .bind("stepId", stepId)
                .bind("transactional", transactional)
                .mapTo(int.class)
                .one());
        CrashPoints.statementRan(connection, "ledger start " + stepId + " attempt " + attempt);
        return attempt;
    }

    private static final String END =
            """
            update <step_ledger>
               set ended_at = clock_timestamp(), result = :result, rows = :rows, detail = :detail
             where run_id = :runId and step_id = :stepId and attempt = :attempt
            """;

    /** Records the end of an attempt, in whatever transaction the connection has. */
    public void end(
            Connection connection, String runId, String stepId, int attempt, String result, Long rows, String detail)
            throws SQLException {
        schema.useHandle(connection, handle -> handle.createUpdate(END)
                .bind("result", result)
                .bind("rows", rows)
                .bind("detail", detail)
                .bind("runId", runId)
                .bind("stepId", stepId)
                .bind("attempt", attempt)
                .execute());
        CrashPoints.statementRan(connection, "ledger end " + stepId + " attempt " + attempt + " " + result);
    }
}
