package dev.lockstep.engine;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.PgSessions;
import dev.lockstep.pg.ServerIdentity;
import dev.lockstep.pg.SessionLimits;
import dev.lockstep.runbook.Parameter;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.timeline.GitInfo;
import dev.lockstep.timeline.Redactor;
import dev.lockstep.timeline.TimelineClock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one place a run is assembled and started, for every front end: line mode, the console, the demo and the
 * tests all {@link #prepare} a {@link RunRequest} and {@link #start} it with their operator and screen.
 *
 * <h2>Thread contract</h2>
 *
 * <ul>
 *   <li>The run executes on its own thread, {@code lockstep-run}, from {@link #start} until it ends.
 *   <li>Events reach the listeners one at a time and in order: the timeline first (write-ahead: a line is on
 *       disk before anything acts on it), then the {@link RunView} fold, then the front end's listener. They
 *       are delivered on the run thread or on the watchdog thread that reads the stop criteria, never both at
 *       once. A front end's listener must return quickly (fold, wake your own thread); if it throws, the run
 *       goes on and {@link #screenFailure()} says what failed.
 *   <li>The {@link Operator} is called on the run thread, which waits for the answer: a console completes the
 *       pending question from its own thread. {@link Operator#withdraw()} may come from any thread.
 *   <li>{@link #send} and {@link #interrupt} may be called from any thread, before or after {@link #start}.
 * </ul>
 */
public final class RunSession implements RunHandle {

    private static final String CONNECTION_PASSWORD = "connection password";

    private final RunRequest request;
    private final RunPlan plan;
    private final RunViewFold view;
    private final TimelineRecorder timeline;
    private final EngineGauges gauges = new EngineGauges();
    private final CompletableFuture<RunResult> ended = new CompletableFuture<>();
    private volatile RunEngine engine;
    private volatile String interrupted;
    private volatile RuntimeException screenFailure;

    private RunSession(RunRequest request) {
        this.request = request;
        this.plan = RunPlans.of(request.runbook(), Instant.now());
        this.view = new RunViewFold(plan, request.runbook().title());
        this.timeline = new TimelineRecorder(
                request.timelineDir(),
                request.operatorKey(),
                redactor(request),
                TimelineClock.system(),
                openInfo(request),
                plan);
        gauges.window(plan.windowEnd());
    }

    /**
     * Plans the run and reads the server's identity for the timeline; nothing is changed and no lease taken.
     * The {@link #view()} shows the steps from here on.
     */
    public static RunSession prepare(RunRequest request) {
        return new RunSession(request);
    }

    /**
     * Starts sampling the stop criteria (the probe snapshot the screens show comes from the same sessions) and
     * the run on its own thread; returns at once.
     *
     * @param operator who answers questions ({@link Operator#UNATTENDED}: nobody)
     * @param screen the front end's listener, called after the timeline and the view have the event
     */
    public synchronized RunSession start(Operator operator, EngineListener screen) {
        if (engine != null) {
            throw new IllegalStateException("the run was already started");
        }
        CriteriaDirectives criteria = RunCriteria.start(
                request.runbook().stopCriteria(), request.primary(), request.standbys(), gauges, request.sampling());
        RunEngine.Options options = RunEngine.Options.defaults()
                .withSchema(request.schema())
                .withPreApprovals(request.approvals())
                .withDecisions(request.decisions())
                .withAcceptChangedRunbook(request.acceptChangedRunbook())
                .withGauges(gauges)
                .withInDoubtElsewhere(timeline::stepsInDoubt);
        ConnectionSettings primary = request.primary();
        RunEngine created = new RunEngine(
                () -> PgSessions.open(primary, SessionLimits.control()),
                event -> {
                    // write-ahead: the timeline line is on disk before anyone, the engine included, goes on
                    timeline.on(event);
                    view.on(event);
                    tell(screen, event);
                },
                operator,
                criteria,
                options,
                request.holder());
        engine = created;
        if (interrupted != null) {
            created.requestStop(interrupted);
        }
        Thread thread = new Thread(
                () -> {
                    try {
                        ended.complete(created.run(plan));
                    } catch (RuntimeException e) {
                        ended.completeExceptionally(e);
                    } finally {
                        criteria.close();
                    }
                },
                "lockstep-run");
        thread.start();
        return this;
    }

    private void tell(EngineListener screen, EngineEvent event) {
        try {
            screen.on(event);
        } catch (RuntimeException e) {
            // a screen that cannot draw must not stop a run that is recorded: the front end reports it after
            if (screenFailure == null) {
                screenFailure = e;
            }
        }
    }

    @Override
    public RunView view() {
        return view.current();
    }

    @Override
    public Command.Outcome send(Command command) {
        RunEngine running = engine;
        if (running == null) {
            return Command.Outcome.refused("the run has not started yet");
        }
        return running.command(command);
    }

    /**
     * Adds a note to the run's timeline and screens: something that happened beside the run and belongs to its
     * story (the demo's drill). False when the run is not under way.
     */
    public boolean note(String text) {
        RunEngine running = engine;
        return running != null && running.note(text);
    }

    @Override
    public void interrupt(String reason) {
        if (interrupted == null) {
            interrupted = reason;
        }
        RunEngine running = engine;
        if (running != null) {
            running.requestStop(reason);
        }
    }

    /**
     * How the run ended, once it has; a {@link LockstepException} when it could not open (the lease held by
     * another process, the database unreachable, a runbook changed since the run began).
     */
    @Override
    public Optional<RunResult> awaitEnd(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new LockstepException(ExitCode.INTERNAL_ERROR, "the run failed: " + e.getCause(), e.getCause());
        }
    }

    /** Waits for the end, however long the run takes. */
    public RunResult awaitEnd() throws InterruptedException {
        while (true) {
            Optional<RunResult> result = awaitEnd(Duration.ofHours(1));
            if (result.isPresent()) {
                return result.get();
            }
        }
    }

    public boolean ended() {
        return ended.isDone();
    }

    @Override
    public Path timelineFile() {
        return timeline.file();
    }

    /** The plan the run follows. */
    public RunPlan plan() {
        return plan;
    }

    /** What made the front end's listener throw, if it ever did; the run went on regardless. */
    public RuntimeException screenFailure() {
        return screenFailure;
    }

    /** Secret parameters and the connection password are written as {"redacted": true}, never in clear. */
    private static Redactor redactor(RunRequest request) {
        Set<String> secretNames = new HashSet<>();
        Map<String, String> values = new HashMap<>(request.parameters());
        request.runbook().parameters().stream().filter(Parameter::secret).forEach(p -> secretNames.add(p.name()));
        ConnectionSettings settings = request.primary();
        if (settings.password() != null && !settings.password().isEmpty()) {
            secretNames.add(CONNECTION_PASSWORD);
            values.put(CONNECTION_PASSWORD, settings.password().reveal());
        }
        return Redactor.forRun(secretNames, values, List.of());
    }

    /** What the timeline's open record says about the run beyond the engine's open event. */
    private static TimelineRecorder.OpenInfo openInfo(RunRequest request) {
        ConnectionSettings settings = request.primary();
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
        Runbook runbook = request.runbook();
        Map<String, String> values = new LinkedHashMap<>();
        runbook.parameters()
                .forEach(parameter -> parameter.defaultValue().ifPresent(value -> values.put(parameter.name(), value)));
        values.putAll(request.parameters());
        return new TimelineRecorder.OpenInfo(
                request.runbookPath(),
                runbook.source(),
                GitInfo.commitOf(request.runbookPath()),
                database,
                request.holder().userAtHost(),
                request.holder().pid(),
                values,
                request.lockstepVersion());
    }
}
