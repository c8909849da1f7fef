package dev.lockstep.cli;

import dev.lockstep.criteria.Sampler;
import dev.lockstep.engine.CriteriaDirectives;
import dev.lockstep.engine.EngineGauges;
import dev.lockstep.engine.Holder;
import dev.lockstep.engine.LockstepSchema;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.RunCriteria;
import dev.lockstep.engine.RunEngine;
import dev.lockstep.engine.RunPlans;
import dev.lockstep.engine.RunResult;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.PgSessions;
import dev.lockstep.pg.SessionLimits;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lockstep run}: runs (or resumes) a runbook against a database in line mode. */
@Command(
        name = "run",
        description = "Run a runbook against a database; running the same runbook on the same database again"
                + " resumes it. Exit 4 when stopped (resumable) or when another process holds the run.")
public final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The runbook (YAML).")
    Path file;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--param", paramLabel = "K=V", description = "A runbook parameter (repeatable).")
    Map<String, String> parameters = new LinkedHashMap<>();

    @Option(names = "--plain", description = "Line mode: one line per event (also without a tty or TERM=dumb).")
    boolean plain;

    @Option(
            names = "--approve",
            paramLabel = "STEP=REASON",
            description = "Approve an approval step in advance, for unattended drills and CI; recorded with the"
                    + " OS user and the reason (repeatable).")
    Map<String, String> approvals = new LinkedHashMap<>();

    @Option(
            names = "--accept-changed-runbook",
            paramLabel = "REASON",
            description = "Resume although the runbook changed since the run began; the reason is recorded.")
    String acceptChangedRunbook;

    @Option(
            names = "--schema",
            paramLabel = "NAME",
            defaultValue = LockstepSchema.DEFAULT_NAME,
            description = "The schema Lockstep keeps runs, ledger and checkpoints in (default: ${DEFAULT-VALUE}).")
    String schema;

    @Option(names = "--every-batch", description = "Print a line for every committed batch.")
    boolean everyBatch;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Runbook runbook = RunbookLoader.load(file, parameters);
        ConnectionSettings settings = connection.primary();
        Holder holder = Holder.current();
        EngineGauges gauges = new EngineGauges();
        RunEngine.Options options = RunEngine.Options.defaults()
                .withSchema(new LockstepSchema(schema))
                .withPreApprovals(approvals)
                .withAcceptChangedRunbook(acceptChangedRunbook)
                .withGauges(gauges);
        try (CriteriaDirectives criteria = RunCriteria.start(
                runbook.stopCriteria(), settings, connection.standbys(), gauges, Sampler.Settings.defaults())) {
            RunEngine engine = new RunEngine(
                    () -> PgSessions.open(settings, SessionLimits.control()),
                    new PlainRenderer(out, everyBatch),
                    operator(out, holder, runbook.id()),
                    criteria,
                    options,
                    holder);
            StopSignals.install(engine);
            RunResult result = engine.run(RunPlans.of(runbook, Instant.now()));
            return result.exitCode().code();
        }
    }

    /** Questions go to a person only when one is at a terminal; otherwise the run is unattended. */
    private static Operator operator(PrintWriter out, Holder holder, String runbookId) {
        if (System.console() == null) {
            return Operator.UNATTENDED;
        }
        return new LineOperator(
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                out,
                holder.user(),
                runbookId);
    }
}
