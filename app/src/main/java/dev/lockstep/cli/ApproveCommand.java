package dev.lockstep.cli;

import dev.lockstep.LockstepException;
import dev.lockstep.engine.Holder;
import dev.lockstep.engine.SecondApprovals;
import dev.lockstep.pg.PgSessions;
import dev.lockstep.pg.SessionLimits;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep approve}: the second approver of an R5 runbook's gate step, from their own terminal, under
 * their own OS user. The run that waits at the step reads the approval from the database and goes on.
 */
@Command(
        name = "approve",
        header = "Second approval of an R5 run's gate step, as another OS user.",
        description = {
            "Gives the second approval of STEP, the approval step a class R5 run of RUNBOOK_ID waits at after the"
                    + " operator running it approved: a second person, from their own terminal, under their own OS"
                    + " user (recorded as user@host, with the reason, in the run's timeline).",
            "Refused (exit 1, nothing recorded) when no run of RUNBOOK_ID on this database waits for a second"
                    + " approver at STEP (it is not the approval step the run waits at, or the run is not there"
                    + " yet), or when you are the OS user who gave the first approval. A stopped run keeps the"
                    + " approval: running it again goes on past the step."
        })
public final class ApproveCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "RUNBOOK_ID", description = "The runbook's id (its `id:`).")
    String runbookId;

    @Parameters(index = "1", paramLabel = "STEP", description = "The approval step the run waits at.")
    String step;

    @Option(
            names = "--reason",
            paramLabel = "TEXT",
            required = true,
            description = "Why you approve; recorded in the run's timeline. Never empty.")
    String reason;

    @Mixin
    SchemaOption schema;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (reason.isBlank()) {
            throw LockstepException.usage("--reason must say why you approve; it is recorded in the run's timeline");
        }
        Holder approver = Holder.current();
        SecondApprovals.Wait wait;
        try (Connection session = PgSessions.open(connection.primary(), SessionLimits.monitor())) {
            wait = new SecondApprovals(schema.schema()).approve(session, runbookId, step, approver, reason);
        } catch (SQLException e) {
            throw LockstepException.unreachable("cannot record the approval: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("approved step " + step + " of run " + wait.runId() + " (" + runbookId + ") as "
                + approver.userAtHost() + ", second to " + wait.firstApprover()
                + "; the run records it in its timeline and goes on (a stopped run goes on when run again)");
        out.flush();
        return 0;
    }
}
