package dev.lockstep.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.LockstepException;
import dev.lockstep.engine.RunRecord;
import dev.lockstep.engine.RunStatus;
import dev.lockstep.engine.RunStore;
import dev.lockstep.engine.SecondApprovals;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.PgSessions;
import dev.lockstep.pg.SessionLimits;
import dev.lockstep.tui.plain.PlainConsole;
import dev.lockstep.tui.plain.StatusLines;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lockstep status}: the runs this database knows, with state, step, holder and progress. */
@Command(
        name = "status",
        header = "Runs known to the database: state, step, holder, progress.",
        description = "Runs known to the database, newest first: state, current step, holder and heartbeat.")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    @Mixin
    SchemaOption schema;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<RunStatus> runs;
        try (Connection session = PgSessions.open(connection.primary(), SessionLimits.monitor())) {
            runs = new RunStore(schema.schema()).statuses(session);
        } catch (SQLException e) {
            throw LockstepException.unreachable("cannot read runs: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        ConnectionSettings settings = connection.primary();
        String database = "postgresql://" + settings.host() + ":" + settings.port() + "/" + settings.database();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ArrayNode list = mapper.createArrayNode();
            for (RunStatus status : runs) {
                RunRecord run = status.run();
                ObjectNode node = list.addObject();
                node.put("run_id", run.runId());
                node.put("runbook_id", run.runbookId());
                node.put("database", run.database());
                node.put("runbook_sha256", run.runbookSha256());
                node.put("state", run.state().label());
                node.put("current_step", run.currentStep());
                node.put("holder", run.holder());
                node.put("pid", run.pid());
                node.put("holder_gone", status.holderGone());
                node.put("started_at", run.startedAt().toString());
                node.put("heartbeat_at", run.heartbeatAt().toString());
                node.put("heartbeat_age_seconds", status.heartbeatAge().toSeconds());
                node.put(
                        "ended_at", run.endedAt() == null ? null : run.endedAt().toString());
                node.set("progress", mapper.readTree(run.progressJson()));
                // the failure record the engine keeps while a failed step waits for a decision (docs/recovery.md)
                node.set("failure", run.failureJson() == null ? mapper.nullNode() : mapper.readTree(run.failureJson()));
                // an R5 gate waiting for its second approver (docs/runbook-format.md, "Two approvers")
                SecondApprovals.Wait wait = status.secondApproval();
                if (wait == null) {
                    node.putNull("waiting_for");
                } else {
                    ObjectNode waiting = node.putObject("waiting_for");
                    waiting.put("kind", "second_approval");
                    waiting.put("step", wait.step());
                    waiting.put("first_approver", wait.firstApprover());
                    waiting.put("since", wait.since().toString());
                    waiting.put("command", SecondApprovals.command(database, run.runbookId(), wait.step()));
                }
            }
            ObjectNode document = mapper.createObjectNode();
            document.set("runs", list);
            out.println(mapper.writeValueAsString(document));
        } else if (runs.isEmpty()) {
            out.println("no runs recorded in this database");
        } else {
            StatusLines.render(runs, PlainConsole.DEFAULT_WIDTH, database).forEach(out::println);
        }
        out.flush();
        return 0;
    }
}
