package dev.lockstep.engine;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    private final LockstepSchema schema;

    public SecondApprovals(LockstepSchema schema) {
        this.schema = schema;
    }

    /**
     * The run waits at {@code step}: records who gave the first approval. A row a stopped process of the same
     * run left stays, second approval included, unless that approval came from the new first approver's OS
     * user (then it no longer counts and is cleared).
     */
    void await(Connection connection, String runId, String step, Holder first) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("insert into "
                + schema.table("second_approval") + " as t (run_id, step_id, first_approver, first_user)"
                + " values (?, ?, ?, ?) on conflict (run_id, step_id) do update set"
                + " first_approver = excluded.first_approver, first_user = excluded.first_user,"
                + " requested_at = clock_timestamp(),"
                + " approver = case when t.approver_user = excluded.first_user then null else t.approver end,"
                + " approver_user = case when t.approver_user = excluded.first_user then null"
                + " else t.approver_user end,"
                + " reason = case when t.approver_user = excluded.first_user then null else t.reason end,"
                + " approved_at = case when t.approver_user = excluded.first_user then null else t.approved_at end")) {
            statement.setString(1, runId);
            statement.setString(2, step);
            statement.setString(3, first.userAtHost());
            statement.setString(4, first.user());
            statement.executeUpdate();
        }
    }

    /** The second approval of the step, once someone gave it. */
    Optional<Given> given(Connection connection, String runId, String step) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select approver, approver_user, reason,"
                + " approved_at from " + schema.table("second_approval")
                + " where run_id = ? and step_id = ? and approver is not null")) {
            statement.setString(1, runId);
            statement.setString(2, step);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Given(
                        rows.getString(1),
                        rows.getString(2),
                        rows.getString(3),
                        rows.getTimestamp(4).toInstant()));
            }
        }
    }

    /** Every second approval a run of this database waits for (runs not final), for {@code status}. */
    public List<Wait> waiting(Connection connection) throws SQLException {
        List<Wait> waits = new ArrayList<>();
        if (!tableExists(connection)) {
            return waits;
        }
        try (PreparedStatement statement = connection.prepareStatement("select a.run_id, a.step_id,"
                        + " a.first_approver, a.first_user, a.requested_at from " + schema.table("second_approval")
                        + " a join " + schema.table("run") + " r using (run_id) where a.approver is null"
                        + " and r.state not in ('done', 'rolled_back', 'abandoned') and r.current_step = a.step_id"
                        + " order by a.requested_at");
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                waits.add(new Wait(
                        rows.getString(1),
                        rows.getString(2),
                        rows.getString(3),
                        rows.getString(4),
                        rows.getTimestamp(5).toInstant()));
            }
        }
        return waits;
    }

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
        if (!schema.exists(connection) || !tableExists(connection)) {
            throw refused("no run of runbook " + runbookId + " is recorded in this database");
        }
        String runId;
        String state;
        String currentStep;
        try (PreparedStatement statement = connection.prepareStatement("select run_id, state, current_step from "
                + schema.table("run") + " where runbook_id = ? and database = current_database()"
                + " order by started_at desc limit 1")) {
            statement.setString(1, runbookId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw refused("no run of runbook " + runbookId + " is recorded in this database");
                }
                runId = rows.getString(1);
                state = rows.getString(2);
                currentStep = rows.getString(3);
            }
        }
        if (RunState.of(state).isFinal()) {
            throw refused("the latest run of " + runbookId + " (" + runId + ") is " + state + ": nothing waits");
        }
        Optional<Wait> wait = pending(connection, runId, step);
        if (wait.isEmpty() || !step.equals(currentStep)) {
            Optional<Wait> other = pending(connection, runId, currentStep);
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
        try (PreparedStatement statement = connection.prepareStatement("update "
                + schema.table("second_approval") + " set approver = ?, approver_user = ?, reason = ?,"
                + " approved_at = clock_timestamp() where run_id = ? and step_id = ? and approver is null")) {
            statement.setString(1, approver.userAtHost());
            statement.setString(2, approver.user());
            statement.setString(3, reason.strip());
            statement.setString(4, runId);
            statement.setString(5, step);
            if (statement.executeUpdate() == 0) {
                throw refused("step " + step + " of run " + runId + " was approved by someone else meanwhile");
            }
        }
        return wait.get();
    }

    private Optional<Wait> pending(Connection connection, String runId, String step) throws SQLException {
        if (step == null) {
            return Optional.empty();
        }
        try (PreparedStatement statement = connection.prepareStatement("select first_approver, first_user,"
                + " requested_at from " + schema.table("second_approval")
                + " where run_id = ? and step_id = ? and approver is null")) {
            statement.setString(1, runId);
            statement.setString(2, step);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Wait(
                        runId,
                        step,
                        rows.getString(1),
                        rows.getString(2),
                        rows.getTimestamp(3).toInstant()));
            }
        }
    }

    private boolean tableExists(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select to_regclass(?) is not null")) {
            statement.setString(1, schema.table("second_approval"));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
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
