package dev.lockstep.cli;

import dev.lockstep.LockstepException;
import dev.lockstep.criteria.Sampler;
import dev.lockstep.engine.CriteriaDirectives;
import dev.lockstep.engine.EngineGauges;
import dev.lockstep.engine.Holder;
import dev.lockstep.engine.LockstepSchema;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.RunCriteria;
import dev.lockstep.engine.RunEngine;
import dev.lockstep.engine.RunPlan;
import dev.lockstep.engine.RunPlans;
import dev.lockstep.engine.RunResult;
import dev.lockstep.engine.TimelineRecorder;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.PgSessions;
import dev.lockstep.pg.ServerIdentity;
import dev.lockstep.pg.SessionLimits;
import dev.lockstep.runbook.Parameter;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.timeline.GitInfo;
import dev.lockstep.timeline.OperatorKey;
import dev.lockstep.timeline.Redactor;
import dev.lockstep.timeline.TimelineClock;
import dev.lockstep.tui.plain.LineOperator;
import dev.lockstep.tui.plain.PlainConsole;
import dev.lockstep.tui.plain.PlainRenderer;
import dev.lockstep.tui.plain.RunLines;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
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

    @Option(
            names = "--timeline",
            paramLabel = "DIR",
            defaultValue = "timeline",
            description = "Where the run's signed write-ahead timeline goes (default: ./${DEFAULT-VALUE}).")
    Path timelineDir;

    @Option(
            names = "--key",
            paramLabel = "FILE",
            description = "The operator key that signs the timeline (else LOCKSTEP_KEY, else the default path;"
                    + " make one with 'lockstep keygen --out FILE').")
    Path key;

    @Option(
            names = "--unsigned",
            description = "Write the timeline without signatures; the timeline and verify say so.")
    boolean unsigned;

    @Spec
    CommandSpec spec;

    private RunEngine engine;
    private final AtomicBoolean stopRequested = new AtomicBoolean();

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (unsigned && key != null) {
            throw LockstepException.usage("--key and --unsigned contradict each other: choose one");
        }
        Runbook runbook = RunbookLoader.load(file, parameters);
        OperatorKey operatorKey = unsigned ? null : OperatorKey.locate(key, System.getenv());
        ConnectionSettings settings = connection.primary();
        List<ConnectionSettings> standbys = connection.standbys();
        Holder holder = Holder.current();
        RunPlan plan = RunPlans.of(runbook, Instant.now());
        TimelineRecorder timeline = new TimelineRecorder(
                timelineDir,
                operatorKey,
                redactor(runbook, settings),
                TimelineClock.system(),
                openInfo(runbook, settings, holder),
                plan);
        EngineGauges gauges = new EngineGauges();
        gauges.window(plan.windowEnd());
        RunEngine.Options options = RunEngine.Options.defaults()
                .withSchema(new LockstepSchema(schema))
                .withPreApprovals(approvals)
                .withAcceptChangedRunbook(acceptChangedRunbook)
                .withGauges(gauges)
                .withInDoubtElsewhere(timeline::stepsInDoubt);
        Clock clock = Clock.systemDefaultZone();
        try (PlainConsole console = PlainConsole.open(out);
                CriteriaDirectives criteria = RunCriteria.start(
                        runbook.stopCriteria(), settings, standbys, gauges, Sampler.Settings.defaults())) {
            PlainRenderer renderer = new PlainRenderer(console, new RunLines(clock.getZone(), everyBatch));
            Operator operator = console.canAsk()
                    ? new LineOperator(console, clock, holder.userAtHost(), runbook.id(), this::stop)
                    : Operator.UNATTENDED;
            engine = new RunEngine(
                    () -> PgSessions.open(settings, SessionLimits.control()),
                    event -> {
                        // write-ahead: the timeline line is on disk before anyone, the engine included, goes on
                        timeline.on(event);
                        renderer.on(event);
                    },
                    operator,
                    criteria,
                    options,
                    holder);
            RunResult result;
            // SIGINT, SIGHUP and SIGTERM stop the run at a safe point. An open question is one, so a signal ends
            // it too (while a question is open jline takes SIGINT itself: Ctrl-C at the prompt ends it the same way)
            try (StopSignals signals = StopSignals.install(reason -> {
                stop(reason);
                console.interruptQuestion();
            })) {
                result = engine.run(plan);
            }
            if (timeline.file() != null) {
                out.println("timeline " + timeline.file());
            }
            return result.exitCode().code();
        }
    }

    /**
     * Asks the run to stop at its next safe point. The first reason stands: a SIGHUP that ends an open question
     * is why the run stopped, not the interrupted question it leaves behind.
     */
    private void stop(String reason) {
        if (stopRequested.compareAndSet(false, true)) {
            engine.requestStop(reason);
        }
    }

    /** Secret parameters and the connection password are written as {"redacted": true}, never in clear. */
    private Redactor redactor(Runbook runbook, ConnectionSettings settings) {
        Set<String> secretNames = new HashSet<>();
        Map<String, String> values = new HashMap<>(parameters);
        runbook.parameters().stream().filter(Parameter::secret).forEach(p -> secretNames.add(p.name()));
        if (settings.password() != null && !settings.password().isEmpty()) {
            secretNames.add(CONNECTION_PASSWORD);
            values.put(CONNECTION_PASSWORD, settings.password().reveal());
        }
        return Redactor.forRun(secretNames, values, List.of());
    }

    private static final String CONNECTION_PASSWORD = "connection password";

    private TimelineRecorder.OpenInfo openInfo(Runbook runbook, ConnectionSettings settings, Holder holder)
            throws IOException {
        Map<String, Object> database = new LinkedHashMap<>();
        try (Connection session = PgSessions.open(settings, SessionLimits.monitor())) {
            ServerIdentity identity = ServerIdentity.read(session);
            database.put("system_identifier", identity.systemIdentifier());
            database.put("version", identity.version());
            database.put("database", identity.database());
            database.put("user", identity.user());
        } catch (SQLException e) {
            // the identity is evidence, not a precondition: the engine's own connection reports the failure
        }
        database.put("host", settings.host() + ":" + settings.port());
        Map<String, String> values = new LinkedHashMap<>();
        runbook.parameters()
                .forEach(parameter -> parameter.defaultValue().ifPresent(value -> values.put(parameter.name(), value)));
        values.putAll(parameters);
        return new TimelineRecorder.OpenInfo(
                file,
                runbook.source(),
                GitInfo.commitOf(file),
                database,
                holder.userAtHost(),
                holder.pid(),
                values,
                new Main.Version().getVersion()[0]);
    }
}
