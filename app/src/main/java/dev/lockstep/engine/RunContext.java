package dev.lockstep.engine;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.recovery.Diagnosis;
import dev.lockstep.runbook.StopAction;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The state one run shares between the run loop and the step executors: the control session (which holds
 * the lease and does the work, so that work never continues without the lease), the run state, the
 * safe points where stop requests and criteria are honoured, and the event stream.
 */
final class RunContext {

    private static final Duration SAFE_POINT_POLL = Duration.ofMillis(100);

    final LockstepSchema schema;
    final RunStore runs;
    final StepLedger ledger;
    final CheckpointStore checkpoints;
    final String runId;
    final String runbookId;
    final Holder holder;
    final Operator operator;
    final Duration reconnectWindow;
    /** {@code --decide}: the answers given in advance, each taken once. */
    final AdvanceDecisions decided;

    private final ConnectionSource source;
    private final RunLease lease;
    private final EngineListener listener;
    private final Directive.Source directives;
    final EngineGauges gauges;
    private volatile Connection connection;
    private volatile Statement inFlight;
    /** Events on their way to the listener from {@link #emitLater}, and the thread whose events wait for them. */
    private volatile java.util.concurrent.Future<?> emitting;

    private volatile Thread emitsLater;
    private java.util.concurrent.ExecutorService emitter;
    private final Object flushing = new Object();
    private volatile String stopRequest;
    private volatile Directive abortDirective;
    private volatile String operatorAbort;
    /** An operator's pause in force: who asked and why; null when none. */
    private volatile Command.Pause operatorPause;
    /** The operator's retune of the running backfill, applied before its next batch; null when none. */
    private volatile Command.Retune tuning;
    /** While a backfill runs: what a retune would change (for its decision record); null otherwise. */
    private volatile Function<Command.Retune, String> backfill;

    private volatile RunState state = RunState.PENDING;
    private volatile EngineEvent.StateChanged.Cause stateCause = EngineEvent.StateChanged.Cause.START;
    /** Who lifted the last operator pause, for the state change that follows at the next safe point. */
    private volatile String resumedBy;

    private volatile String currentStep;
    private final AtomicInteger questions = new AtomicInteger();
    private long pausedNanos;

    RunContext(
            LockstepSchema schema,
            String runId,
            String runbookId,
            Holder holder,
            Operator operator,
            ConnectionSource source,
            Connection connection,
            RunLease lease,
            EngineListener listener,
            Directive.Source directives,
            EngineGauges gauges,
            Duration reconnectWindow,
            AdvanceDecisions decided) {
        this.schema = schema;
        this.runs = new RunStore(schema);
        this.ledger = new StepLedger(schema);
        this.checkpoints = new CheckpointStore(schema);
        this.runId = runId;
        this.runbookId = runbookId;
        this.holder = holder;
        this.operator = operator;
        this.source = source;
        this.connection = connection;
        this.lease = lease;
        this.listener = listener;
        this.directives = directives;
        this.gauges = gauges;
        this.reconnectWindow = reconnectWindow;
        this.decided = decided;
        noteOwnPid(connection);
    }

    /** Tells the criteria which backend is ours, so sessions queued behind it count as blocked by us. */
    private void noteOwnPid(Connection session) {
        try {
            gauges.ownPids(java.util.Set.of(
                    session.unwrap(org.postgresql.PGConnection.class).getBackendPID()));
        } catch (SQLException e) {
            // not a PostgreSQL driver connection: our sessions are still known by their application_name
        }
    }

    Directive.Source directives() {
        return directives;
    }

    Connection connection() {
        return connection;
    }

    RunState state() {
        return state;
    }

    void emit(EngineEvent event) {
        if (Thread.currentThread() == emitsLater) {
            awaitEmitted();
        }
        synchronized (this) {
            listener.on(event);
        }
    }

    /**
     * Hands {@code events} to the listener from a helper thread, so that the run loop can send its next statement
     * meanwhile (the server-side batch driver reports a slice's batches this way: recording them took the server's
     * time otherwise). The order holds: the calling thread's later events wait for these.
     */
    void emitLater(List<EngineEvent> events) {
        awaitEmitted();
        emitsLater = Thread.currentThread();
        emitting = emitter().submit(() -> events.forEach(this::emit));
    }

    /** Waits until the events handed to {@link #emitLater} reached the listener; rethrows what it threw. */
    void awaitEmitted() {
        java.util.concurrent.Future<?> pending = emitting;
        if (pending == null) {
            return;
        }
        emitting = null;
        try {
            pending.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunStopped("interrupted");
        }
    }

    private synchronized java.util.concurrent.ExecutorService emitter() {
        if (emitter == null) {
            // one thread at most (the order holds), which ends when idle: a process may run many runs
            emitter = new java.util.concurrent.ThreadPoolExecutor(
                    0,
                    1,
                    1,
                    java.util.concurrent.TimeUnit.SECONDS,
                    new java.util.concurrent.LinkedBlockingQueue<>(),
                    task -> {
                        Thread thread = new Thread(task, "lockstep-emit");
                        thread.setDaemon(true);
                        return thread;
                    });
        }
        return emitter;
    }

    /**
     * The step in flight. A step that starts is recorded in the run row too, so that {@code status} shows it
     * while the run's state stays the same; best effort, as a transition's row.
     */
    void currentStep(String stepId) {
        this.currentStep = stepId;
        if (stepId == null) {
            return;
        }
        try {
            if (connection.getAutoCommit()) {
                runs.step(connection, runId, stepId);
            }
        } catch (SQLException e) {
            // the row catches up at the next heartbeat or transition
        }
    }

    String currentStep() {
        return currentStep;
    }

    /**
     * Emits the transition and records the state in the run row when the session allows. A final state
     * (done, stopped, failed) is left to the run loop, which writes the row only once the timeline's close
     * is on disk: a run the database calls done always has a closed timeline.
     */
    void transition(RunState to, String reason, EngineEvent.StateChanged.Cause cause, String by) {
        RunState from = state;
        if (from == to) {
            return;
        }
        state = to;
        stateCause = cause;
        emit(new EngineEvent.StateChanged(Instant.now(), from, to, reason, cause, by));
        if (!to.active()) {
            return;
        }
        try {
            if (connection.getAutoCommit()) {
                runs.update(connection, runId, to, currentStep);
            }
        } catch (SQLException e) {
            // the state is in the event stream; the row catches up at the next transition or heartbeat
        }
    }

    /**
     * Asks the run to stop at the next safe point (after the current batch or statement). A question the
     * engine waits on is one: it is withdrawn, and the run stops saying why.
     */
    void requestStop(String reason) {
        if (stopRequest == null) {
            stopRequest = reason;
            emit(new EngineEvent.StopRequested(Instant.now(), reason, false));
        }
        operator.withdraw();
    }

    /**
     * An operator's command, recorded as a decision (who, why) before it acts. Refused, with the reason, when it
     * cannot act now; nothing is recorded then.
     */
    synchronized Command.Outcome command(Command command) {
        String refusal = refusal(command);
        if (refusal != null) {
            return Command.Outcome.refused(refusal);
        }
        emit(new EngineEvent.DecisionMade(
                Instant.now(), currentStep, command.actor(), command.name(), command.reason(), detail(command)));
        if (command instanceof Command.Pause pause) {
            operatorPause = pause;
        } else if (command instanceof Command.Resume resume) {
            resumedBy = resume.actor();
            operatorPause = null;
        } else if (command instanceof Command.Retune retune) {
            tuning = retune;
        } else if (command instanceof Command.Stop stop) {
            requestStop("stopped by " + stop.actor() + ": " + stop.reason());
        } else if (command instanceof Command.Abort abort) {
            operatorAbort = "aborted by " + abort.actor() + ": " + abort.reason();
            emit(new EngineEvent.StopRequested(Instant.now(), operatorAbort, true));
            cancelInFlight();
            operator.withdraw();
        } else if (command instanceof Command.SignalBackend signal) {
            return signalBackend(signal);
        }
        return Command.Outcome.ACCEPTED;
    }

    /** Why a command cannot act now; null when it can. */
    private String refusal(Command command) {
        if (!state.active()) {
            return "the run is " + state.label() + ": nothing to " + command.name();
        }
        if (stopRequest != null || operatorAbort != null || abortDirective != null) {
            return "the run is already stopping";
        }
        if (command instanceof Command.Pause && operatorPause != null) {
            return "the run is already paused by " + operatorPause.actor();
        }
        if (command instanceof Command.Resume && operatorPause == null) {
            return "no operator pause to resume: a stop criterion's pause lifts when it clears (and asks when it has"
                    + " no auto_resume)";
        }
        if (command instanceof Command.Retune && backfill == null) {
            return "no backfill is running: retune changes a backfill's batch target and pause";
        }
        return null;
    }

    /** The backfill in flight says what a retune would change, against its bounds; it applies the retune itself. */
    void backfillRunning(Function<Command.Retune, String> describe) {
        backfill = describe;
    }

    void backfillEnded() {
        backfill = null;
        tuning = null;
    }

    /**
     * Signals another backend on a short session of its own (the control session may be busy), after the
     * decision is recorded; says whether the backend was there to signal.
     */
    private Command.Outcome signalBackend(Command.SignalBackend signal) {
        String function = signal.terminate() ? "pg_terminate_backend" : "pg_cancel_backend";
        try (Connection session = source.open();
                java.sql.PreparedStatement statement = session.prepareStatement("select " + function + "(?)")) {
            statement.setInt(1, signal.pid());
            try (java.sql.ResultSet rows = statement.executeQuery()) {
                boolean signalled = rows.next() && rows.getBoolean(1);
                return Command.Outcome.done(
                        signalled
                                ? (signal.terminate() ? "terminated" : "cancelled the query of") + " pid "
                                        + signal.pid()
                                : "pid " + signal.pid() + " was no longer there: nothing to signal");
            }
        } catch (SQLException e) {
            return Command.Outcome.done("could not signal pid " + signal.pid() + ": " + e.getMessage());
        }
    }

    private String detail(Command command) {
        if (command instanceof Command.SignalBackend signal) {
            return signal.who();
        }
        Function<Command.Retune, String> running = backfill;
        return command instanceof Command.Retune retune && running != null ? running.apply(retune) : null;
    }

    /** The operator's latest retune, or null; the backfill applies it before its next batch. */
    Command.Retune tuning() {
        return tuning;
    }

    /**
     * A question {@code --decide} may answer in advance: the decision given for {@code step} when its option is
     * one of the {@code choices}, else the question asked. The answer is recorded as a decision (its detail says
     * when it came from {@code --decide}) before the caller acts on it. Empty when nobody answered.
     */
    Optional<Operator.Answer> decidedOrAsked(
            Question.Kind kind, String step, String text, List<Question.Choice> choices, String detail) {
        Set<dev.lockstep.recovery.Choice> answers = choices.stream()
                .map(choice -> dev.lockstep.recovery.Choice.ofId(choice.id()))
                .flatMap(Optional::stream)
                .collect(Collectors.toSet());
        Optional<Operator.Answer> given = decided.take(step, answers)
                .map(decision -> new Operator.Answer(decision.choice().id(), holder.userAtHost(), decision.reason()));
        Optional<Operator.Answer> answer = given.isPresent() ? given : ask(kind, step, text, choices, null);
        answer.ifPresent(taken -> emit(new EngineEvent.DecisionMade(
                Instant.now(),
                step,
                taken.actor(),
                taken.choice(),
                taken.reason(),
                given.isEmpty() ? detail : detail == null ? "given with --decide" : "given with --decide; " + detail)));
        return answer;
    }

    /**
     * Asks the operator, announcing the question to every screen first and withdrawing it after. Empty when
     * nobody answered.
     */
    Optional<Operator.Answer> ask(
            Question.Kind kind, String step, String text, List<Question.Choice> choices, String confirmText) {
        return ask(new Question("q" + questions.incrementAndGet(), kind, step, text, choices, confirmText));
    }

    /** Asks about a failed step, with its failure for the screens to show. */
    Optional<Operator.Answer> askAboutFailure(Diagnosis diagnosis, String text, List<Question.Choice> choices) {
        return ask(new Question(
                "q" + questions.incrementAndGet(),
                Question.Kind.FAILURE,
                diagnosis.failure().stepId(),
                text,
                choices,
                null,
                diagnosis));
    }

    private Optional<Operator.Answer> ask(Question question) {
        emit(new EngineEvent.QuestionAsked(Instant.now(), question));
        Optional<Operator.Answer> answer = Optional.empty();
        try {
            answer = operator.ask(question);
            return answer;
        } finally {
            emit(new EngineEvent.QuestionClosed(Instant.now(), question.id(), answer.isPresent()));
        }
    }

    /** The watchdog's abort: stop now, cancelling the statement in flight. */
    void abort(Directive directive) {
        abortDirective = directive;
        cancelInFlight();
        operator.withdraw();
    }

    boolean aborting() {
        return abortDirective != null || operatorAbort != null;
    }

    void checkStop() {
        Directive abort = abortDirective;
        if (abort != null) {
            throw new RunStopped("aborted by stop criterion " + abort.criterion() + ": " + abort.reason());
        }
        String aborted = operatorAbort;
        if (aborted != null) {
            throw new RunStopped(aborted);
        }
        if (stopRequest != null) {
            throw new RunStopped(stopRequest);
        }
    }

    /**
     * How the next unit of work should go: the factor on the batch size and the pause added between
     * batches while a throttle criterion is in force.
     */
    record Pace(double batchMultiplier, Duration addedPause) {
        static final Pace NORMAL = new Pace(1.0, Duration.ZERO);

        boolean throttled() {
            return batchMultiplier < 1.0 || !addedPause.isZero();
        }
    }

    /** Records the criteria's breaches and clears, in order, before anything acts on them. */
    void flushCriteriaEvents() {
        // drained and recorded under one lock so that two threads flushing keep the order; the batches handed to
        // emitLater before them go first, and are waited for only when there is something to record after them
        synchronized (flushing) {
            List<EngineEvent> events = directives.drainEvents();
            if (events.isEmpty()) {
                return;
            }
            if (Thread.currentThread() == emitsLater) {
                awaitEmitted();
            }
            synchronized (this) {
                events.forEach(listener::on);
            }
        }
    }

    /**
     * A safe point: nothing is in flight. Honours stop requests and the criteria: returns at once when
     * nothing stands in the way, blocks while paused, throws {@link RunStopped} to stop.
     */
    Pace safePoint() {
        long pausedSince = 0;
        try {
            while (true) {
                checkStop();
                Directive directive = directives.current();
                flushCriteriaEvents();
                Command.Pause paused = operatorPause;
                if (paused != null && !directive.is(StopAction.ABORT)) {
                    transition(
                            RunState.PAUSED, paused.reason(), EngineEvent.StateChanged.Cause.OPERATOR, paused.actor());
                    if (pausedSince == 0) {
                        pausedSince = System.nanoTime();
                    }
                    sleep(SAFE_POINT_POLL);
                    continue;
                }
                if (directive.action().isEmpty()) {
                    if (state == RunState.PENDING) {
                        transition(RunState.RUNNING, "started", EngineEvent.StateChanged.Cause.START, null);
                    } else if (state == RunState.PAUSED && stateCause == EngineEvent.StateChanged.Cause.OPERATOR) {
                        transition(RunState.RUNNING, "resumed", EngineEvent.StateChanged.Cause.OPERATOR, resumedBy);
                    } else {
                        transition(
                                RunState.RUNNING, "stop criteria clear", EngineEvent.StateChanged.Cause.CRITERIA, null);
                    }
                    return Pace.NORMAL;
                }
                switch (directive.action().get()) {
                    case THROTTLE -> {
                        transition(
                                RunState.THROTTLED,
                                describe(directive),
                                EngineEvent.StateChanged.Cause.CRITERIA,
                                directive.criterion());
                        return new Pace(directive.batchMultiplier(), directive.addedPause());
                    }
                    case ABORT -> abort(directive);
                    case PAUSE -> {
                        transition(
                                RunState.PAUSED,
                                describe(directive),
                                EngineEvent.StateChanged.Cause.CRITERIA,
                                directive.criterion());
                        if (pausedSince == 0) {
                            pausedSince = System.nanoTime();
                        }
                        if (!directive.autoResume()) {
                            awaitOperatorResume(directive);
                            continue;
                        }
                        sleep(SAFE_POINT_POLL);
                    }
                }
            }
        } finally {
            if (pausedSince != 0) {
                synchronized (this) {
                    pausedNanos += System.nanoTime() - pausedSince;
                }
            }
        }
    }

    /**
     * A pause without auto_resume: unattended, the run stops resumable; attended, it waits until the
     * pausing signals clear (or another directive takes over), then asks the operator, whose answer and
     * reason are recorded before the run goes on.
     */
    private void awaitOperatorResume(Directive directive) {
        if (!operator.attended()) {
            throw new RunStopped("paused by stop criterion " + directive.criterion() + " (" + directive.reason()
                    + "); it has no auto_resume and nobody is attending: run again to resume");
        }
        Directive now = directives.current();
        while (now.is(StopAction.PAUSE) && !now.autoResume() && !now.awaitingOperator()) {
            checkStop();
            flushCriteriaEvents();
            sleep(SAFE_POINT_POLL);
            now = directives.current();
        }
        flushCriteriaEvents();
        if (!now.is(StopAction.PAUSE) || now.autoResume()) {
            // another criterion took over (an abort, a throttle) or the pause can lift by itself
            return;
        }
        var answer = ask(
                Question.Kind.RESUME,
                currentStep,
                "stop criterion " + directive.criterion() + " cleared; resume the run?",
                List.of(Question.Choice.of("resume", "resume the run"), Question.Choice.of("stop", "stop, resumable")),
                null);
        if (answer.isEmpty()) {
            // a stop asked for at the prompt (Ctrl-C, no answer) says why
            checkStop();
            throw new RunStopped(
                    "nobody answered whether to resume after " + directive.criterion() + " paused the run");
        }
        if (!answer.get().choice().equals("resume")) {
            var stop = answer.get();
            emit(new EngineEvent.DecisionMade(Instant.now(), currentStep, stop.actor(), stop.choice(), stop.reason()));
            throw new RunStopped("operator chose to stop after " + directive.criterion() + " paused the run");
        }
        emit(new EngineEvent.DecisionMade(
                Instant.now(),
                currentStep,
                answer.get().actor(),
                "resume",
                answer.get().reason()));
        resumedBy = answer.get().actor();
        stateCause = EngineEvent.StateChanged.Cause.OPERATOR;
        directives.release();
    }

    /**
     * Before a retried failure ends a step: a safe point that honours what the criteria ask now. True when the
     * run paused there (then the step's attempts start again after the resume); false when nothing asked to
     * pause, and the step fails.
     */
    boolean pausedBeforeGivingUp() {
        Duration before = pausedFor();
        safePoint();
        return pausedFor().compareTo(before) > 0;
    }

    synchronized Duration pausedFor() {
        return Duration.ofNanos(pausedNanos);
    }

    private static String describe(Directive directive) {
        return "stop criterion " + directive.criterion() + ": " + directive.reason();
    }

    /** Sleeps, waking early when a stop is requested (the caller then reaches {@link #checkStop}). */
    void sleep(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        try {
            while (System.nanoTime() < deadline && stopRequest == null && abortDirective == null) {
                Thread.sleep(Math.max(1, Math.min(50, (deadline - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunStopped("interrupted");
        }
    }

    /**
     * Whether a safe point would act now: a stop, an abort, an operator's pause, a criterion's action, or a retune
     * other than {@code applied}. Read from another thread while a server-side slice runs, to end it early.
     */
    boolean wantsSafePoint(Command.Retune applied) {
        return stopRequest != null
                || abortDirective != null
                || operatorAbort != null
                || operatorPause != null
                || directives.current().action().isPresent()
                || (tuning != null && tuning != applied);
    }

    void inFlight(Statement statement) {
        inFlight = statement;
    }

    void cancelInFlight() {
        Statement statement = inFlight;
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException e) {
                // the statement ended meanwhile, or the session is gone: nothing left to cancel
            }
        }
    }

    /**
     * After the control session was lost: reconnect with backoff, take the lease again, and hand back the
     * new session. The caller then reads the checkpoint or ledger to learn what committed.
     */
    Connection recover(String stepId, SQLException cause) {
        RunState before = state == RunState.PAUSED ? RunState.RUNNING : state;
        transition(
                RunState.PAUSED,
                "control session lost: " + cause.getMessage(),
                EngineEvent.StateChanged.Cause.CONNECTION,
                null);
        long pausedSince = System.nanoTime();
        try {
            closeQuietly(connection);
            long deadline = System.nanoTime() + reconnectWindow.toNanos();
            int attempt = 0;
            SQLException last = cause;
            while (System.nanoTime() < deadline) {
                checkStop();
                attempt++;
                sleep(Backoff.RECONNECT.delay(attempt));
                Connection fresh = null;
                try {
                    fresh = source.open();
                    lease.reacquire(fresh, runId, holder);
                    connection = fresh;
                    noteOwnPid(fresh);
                    emit(new EngineEvent.Recovered(
                            Instant.now(),
                            stepId,
                            "reconnected",
                            "control session re-established after " + attempt + " attempt(s); lease re-taken"));
                    transition(
                            before, "control session re-established", EngineEvent.StateChanged.Cause.CONNECTION, null);
                    return fresh;
                } catch (SQLException e) {
                    last = e;
                    closeQuietly(fresh);
                } catch (LockstepException e) {
                    closeQuietly(fresh);
                    if (e.exitCode() != ExitCode.DATABASE_UNREACHABLE) {
                        throw e;
                    }
                }
            }
            throw new LockstepException(
                    ExitCode.DATABASE_UNREACHABLE,
                    "lost the control session and could not" + " reconnect within " + reconnectWindow.toSeconds()
                            + "s; the run is resumable",
                    last);
        } finally {
            synchronized (this) {
                pausedNanos += System.nanoTime() - pausedSince;
            }
        }
    }

    static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            // closing a broken session can fail; it is gone either way
        }
    }
}
