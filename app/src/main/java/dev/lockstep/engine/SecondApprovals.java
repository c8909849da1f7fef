package dev.lockstep.engine;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * The two-person rule of an R5 runbook, kept in the Lockstep schema's {@code second_approval} table: the run
 * writes a row when the operator gave the first approval of the gate step and waits; another OS user, from
 * their own terminal ({@code lockstep approve}), fills in the second approver and reason; the run reads it and
 * goes on. The database is the meeting point because the two people share nothing else.
 */
public final class SecondApprovals {

    /** What a run waits for: the step, who gave the first approval (and as which OS user), since when. */
    public record Wait(String runId, String step, String firstApprover, String firstUser, Instant since) {}

    /** The second approval as recorded: who ({@code user@host}), as which OS user, why and when. */
    public record Given(String approver, String approverUser, String reason, Instant at) {}

    private static final RowMapper<Wait> WAIT = ConstructorMapper.of(Wait.class);
    private static final RowMapper<Given> GIVEN = ConstructorMapper.of(Given.class);

    private final LockstepSchema schema;

    public SecondApprovals(LockstepSchema schema) {
        this.schema = schema;
    }

    private static final String AWAIT =
            """
            insert into <second_approval> as t (run_id, step_id, first_approver, first_user)
            values (:runId, :step, :firstApprover, :firstUser)
            on conflict (run_id, step_id) do update
               set first_approver = excluded.first_approver, first_user = excluded.first_user,
                   requested_at = clock_timestamp(),
                   approver = case when t.approver_user = excluded.first_user then null else t.approver end,
                   approver_user = case when t.approver_user = excluded.first_user then null
                                        else t.approver_user end,
                   reason = case when t.approver_user = excluded.first_user then null else t.reason end,
                   approved_at = case when t.approver_user = excluded.first_user then null
                                      else t.approved_at end
            """;

    /**
     * The run waits at {@code step}: records who gave the first approval. A row a stopped process of the same
     * run left stays, second approval included, unless that approval came from the new first approver's OS
     * user (then it no longer counts and is cleared).
     */
    void await(Connection connection, String runId, String step, Holder first) throws SQLException {
        schema.useHandle(connection, handle -> handle.createUpdate(AWAIT)
                .bind("runId", runId)
                .bind("step", step)
                .bind("firstApprover", first.userAtHost())
                .bind("firstUser", first.user())
                .execute());
    }

    private static final String SECOND_APPROVAL =
            """
            select approver, approver_user, reason, approved_at as at
              from <second_approval>
             where run_id = :runId and step_id = :step and approver is not null
            """;

    /** The second approval of the step, once someone gave it. */
    Optional<Given> given(Connection connection, String runId, String step) throws SQLException {
        return schema.withHandle(connection, handle -> handle.createQuery(SECOND_APPROVAL)
                .bind("runId", runId)
                .bind("step", step)
                .map(GIVEN)
                .findOne());
    }

    private static final String WAITING =
            """
            select a.run_id, a.step_id as step, a.first_approver, a.first_user, a.requested_at as since
              from <second_approval> a join <run> r using (run_id)
             where a.approver is null and r.state not in ('done', 'rolled_back', 'abandoned')
               and r.current_step = a.step_id
             order by a.requested_at
            """;

    /** Every second approval a run of this database waits for (runs not final), for {@code status}. */
    public List<Wait> waiting(Connection connection) throws SQLException {
        return schema.withHandle(connection, handle -> {
            if (!schema.hasTable(handle, "second_approval")) {
                return List.of();
            }
            return handle.createQuery(WAITING).map(WAIT).list();
        });
    }

    private static final String APPROVE =
            """
            update <second_approval>
               set approver = :approver, approver_user = :approverUser, reason = :reason,
                   approved_at = clock_timestamp()
             where run_id = :runId and step_id = :step and approver is null
            """;

    /**
     * Gives the second approval of {@code step} of the latest run of {@code runbookId} on this database, as
     * {@code approver}. Refused (exit 1, nothing recorded) when no run of the runbook waits for a second
     * approval at that step, or when the approver is the OS user who gave the first approval.
     *
     * @return what the run waited for
     */
    public Wait approve(Connection connection, String runbookId, String step, Holder approver, String reason)
            throws SQLException {
        if (reason == null || reason.isBlank()) {
            throw LockstepException.usage("--reason must say why you approve; it is recorded in the run's timeline");
        }
        return schema.withHandle(connection, handle -> {
            if (!schema.exists(handle) || !schema.hasTable(handle, "second_approval")) {
                throw refused("no run of runbook " + runbookId + " is recorded in this database");
            }
            RunRecord run = RunStore.latest(handle, runbookId)
                    .orElseThrow(() -> refused("no run of runbook " + runbookId + " is recorded in this database"));
            String runId = run.runId();
            String state = run.state().label();
            String currentStep = run.currentStep();
            if (run.state().isFinal()) {
                throw refused("the latest run of " + runbookId + " (" + runId + ") is " + state + ": nothing waits");
            }
            Optional<Wait> wait = pending(handle, runId, step);
            if (wait.isEmpty() || !step.equals(currentStep)) {
                Optional<Wait> other = pending(handle, runId, currentStep);
                throw refused("step " + step + " of run " + runId + " (" + runbookId + ") does not wait for a second"
                        + " approver"
                        + (other.isPresent() && !step.equals(currentStep)
                                ? "; the run waits for one at step " + currentStep
                                : "; only an approval step of a class R5 runbook waits for one, once the operator"
                                        + " running it approved; the run is " + state
                                        + (currentStep == null ? "" : " at step " + currentStep)));
            }
            if (wait.get().firstUser().equals(approver.user())) {
                throw refused("you are " + approver.userAtHost() + ", and OS user " + approver.user()
                        + " gave the first approval of step " + step + " ("
                        + wait.get().firstApprover()
                        + "): a second approver must be another person, under their own OS account");
            }
            int approved = handle.createUpdate(APPROVE)
                    .bind("approver", approver.userAtHost())
                    .bind("approverUser", approver.user())
                    .bind("reason", reason.strip())
                    .bind("runId", runId)
                    .bind("step", step)
                    .execute();
            if (approved == 0) {
                throw refused("step " + step + " of run " + runId + " was approved by someone else meanwhile");
            }
            return wait.get();
        });
    }

    private static final String PENDING =
            """
            select run_id, step_id as step, first_approver, first_user, requested_at as since
              from <second_approval>
             where run_id = :runId and step_id = :step and approver is null
            """;

    private static Optional<Wait> pending(Handle handle, String runId, String step) {
        if (step == null) {
            return Optional.empty();
        }
        return handle.createQuery(PENDING)
                .bind("runId", runId)
                .bind("step", step)
                .map(WAIT)
                .findOne();
    }

    private static LockstepException refused(String message) {
        return new LockstepException(ExitCode.STEP_FAILED, message + "; nothing was approved");
    }

    /**
     * The command the second approver runs, for the screens: {@code lockstep approve --db CONN RUNBOOK_ID STEP
     * --reason ...}, with {@code database} as the operator should name it (no password).
     */
    public static String command(String database, String runbookId, String step) {
        return "lockstep approve --db " + database + " " + runbookId + " " + step + " --reason ...";
    }
}
