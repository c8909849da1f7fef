package dev.lockstep.engine;

import dev.lockstep.CrashPoints;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/** Reads and updates run rows: state transitions, heartbeats and the progress shown by {@code status}. */
public final class RunStore {

    /**
     * The run rows, for {@link #RUN}. The failure column came with recovery: it is read through to_jsonb so
     * that a schema made before it reads.
     */
    static final String SELECT_RUNS =
            """
            select run_id, runbook_id, database, runbook_sha256, holder, pid, started_at, heartbeat_at, state,
                   current_step, progress::text as progress, ended_at,
                   nullif(to_jsonb(r) -> 'failure', 'null'::jsonb)::text as failure
              from <run> r
            """;

    /** A run row, as {@link #SELECT_RUNS} or {@code returning *} gives it. */
    static final RowMapper<RunRecord> RUN = (rows, context) -> new RunRecord(
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

    private final LockstepSchema schema;

    public RunStore(LockstepSchema schema) {
        this.schema = schema;
    }

    /** The latest run of a runbook on this database, on a handle of {@link LockstepSchema#withHandle}. */
    static Optional<RunRecord> latest(Handle handle, String runbookId) {
        return handle.createQuery(SELECT_RUNS
                        + " where runbook_id = :runbookId and database = current_database()"
                        + " order by started_at desc limit 1")
                .bind("runbookId", runbookId)
                .map(RUN)
                .findOne();
    }

    /** The advisory lock keys (bigint form) some session of this database holds: the leases in force. */
    private static final String HELD_LEASES =
            """
            select (l.classid::bigint << 32) | l.objid::bigint
              from pg_locks l
             where l.locktype = 'advisory' and l.granted and l.objsubid = 1
               and l.database = (select oid from pg_database where datname = current_database())
            """;

    private static final String STATUSES =
            """
            select r.*, (extract(epoch from clock_timestamp() - r.heartbeat_at) * 1000)::bigint as heartbeat_age_ms,
                   r.database = current_database() as here
              from (%s) r
             order by r.started_at desc
            """
                    .formatted(SELECT_RUNS);

    /**
     * Every run this database knows, newest first, with whether its holder still holds the lease and the age
     * of its heartbeat. Empty when the schema was never created.
     */
    public List<RunStatus> statuses(Connection connection) throws SQLException {
        if (!schema.exists(connection)) {
            return List.of();
        }
        Map<String, SecondApprovals.Wait> waits = new SecondApprovals(schema)
                .waiting(connection).stream()
                        .collect(Collectors.toMap(
                                SecondApprovals.Wait::runId, Function.identity(), (earlier, later) -> later));
        return schema.withHandle(connection, handle -> {
            Set<Long> held = handle.createQuery(HELD_LEASES).mapTo(Long.class).set();
            return handle.createQuery(STATUSES)
                    .map((rows, context) -> {
                        RunRecord run = RUN.map(rows, context);
                        Boolean gone = run.state().active() && rows.getBoolean("here")
                                ? !held.contains(RunLease.lockKey(run.runbookId()))
                                : null;
                        return new RunStatus(
                                run,
                                gone,
                                Duration.ofMillis(Math.max(0, rows.getLong("heartbeat_age_ms"))),
                                waits.get(run.runId()));
                    })
                    .list();
        });
    }

    private static final String UPDATE =
            """
            update <run>
               set state = :state, current_step = :currentStep, heartbeat_at = clock_timestamp(),
                   ended_at = case when :ended then clock_timestamp() end
             where run_id = :runId
            """;

    /** Records a state, the current step and a heartbeat in one statement. */
    public void update(Connection connection, String runId, RunState state, String currentStep) throws SQLException {
        schema.useHandle(connection, handle -> handle.createUpdate(UPDATE)
                .bind("state", state.label())
                .bind("currentStep", currentStep)
                .bind("ended", !state.active())
                .bind("runId", runId)
                .execute());
        CrashPoints.statementRan(connection, "run state " + state.label());
    }

    /**
     * Records the failure that waits for a decision (a JSON document), or clears it (null) once one was
     * taken: a run resumed later asks about it before anything else.
     */
    public void failure(Connection connection, String runId, String failureJson) throws SQLException {
        schema.useHandle(connection, handle -> handle.createUpdate(
                        "update <run> set failure = :failure::jsonb where run_id = :runId")
                .bind("failure", failureJson)
                .bind("runId", runId)
                .execute());
        CrashPoints.statementRan(connection, failureJson == null ? "run failure cleared" : "run failure recorded");
    }

    /** Records the step that starts, with a heartbeat; the state stays what it is. */
    public void step(Connection connection, String runId, String currentStep) throws SQLException {
        schema.useHandle(connection, handle -> handle.createUpdate(
                        "update <run> set current_step = :currentStep, heartbeat_at = clock_timestamp() where run_id = :runId")
                .bind("currentStep", currentStep)
                .bind("runId", runId)
                .execute());
    }

    private static final String HEARTBEAT =
            """
            update <run>
               set heartbeat_at = clock_timestamp(), current_step = :currentStep,
                   progress = coalesce(:progress::jsonb, progress)
             where run_id = :runId
            """;

    /**
     * Heartbeat of the step in flight, with its progress document when there is one; cheap enough to ride
     * along in a batch's transaction.
     */
    public void heartbeat(Connection connection, String runId, String currentStep, String progressJson)
            throws SQLException {
        schema.useHandle(connection, handle -> handle.createUpdate(HEARTBEAT)
                .bind("currentStep", currentStep)
                .bind("progress", progressJson)
                .bind("runId", runId)
                .execute());
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
