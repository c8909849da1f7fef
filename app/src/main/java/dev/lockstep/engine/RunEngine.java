package dev.lockstep.engine;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.recovery.Decision;
import dev.lockstep.recovery.Fact;
import dev.lockstep.recovery.FailureClass;
import dev.lockstep.recovery.Inspector;
import dev.lockstep.runbook.StopAction;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs a plan against a database: takes the lease, resumes where an earlier process stopped, executes the
 * steps in order honouring stop requests and stop criteria at every safe point, and returns how it ended.
 * It prints nothing; everything it does is an {@link EngineEvent} to the listener.
 */
final class RunEngine {

    /**
     * Everything about how to run that is not the plan itself.
     *
     * @param gauges where the engine publishes the signals only it knows, for the criteria sampler
     * @param inDoubtElsewhere steps another record (the timeline) shows started without an end, asked for
     *     once the run has opened; reported next to what the step ledger says about them
     * @param sampleEvery how often the latest signal readings are emitted as a {@code sample} event
     */
    /**
     * Everything about how to run that is not the plan itself.
     *
     * @param decisions {@code --decide STEP=OPTION:REASON}: what to do when that step fails, decided in advance
     * @param gauges where the engine publishes the signals only it knows, for the criteria sampler
     * @param inDoubtElsewhere steps another record (the timeline) shows started without an end, asked for
     *     once the run has opened; reported next to what the step ledger says about them
     * @param sampleEvery how often the latest signal readings are emitted as a {@code sample} event
     */
    public record Options(
            LockstepSchema schema,
            Map<String, String> preApprovals,
            Map<String, Decision> decisions,
            String acceptChangedRunbookReason,
            Duration reconnectWindow,
            Duration watchdogInterval,
            EngineGauges gauges,
            Supplier<Set<String>> inDoubtElsewhere,
            Duration sampleEvery) {
        public Options {
            preApprovals = Map.copyOf(preApprovals);
            decisions = Map.copyOf(decisions);
        }

        public static Options defaults() {
            return new Options(
                    LockstepSchema.defaultSchema(),
                    Map.of(),
                    Map.of(),
                    null,
                    Duration.ofMinutes(2),
                    Duration.ofMillis(100),
                    new EngineGauges(),
                    Set::of,
                    Duration.ofSeconds(5));
        }

        public Options withPreApprovals(Map<String, String> approvals) {
            return new Options(
                    schema,
                    approvals,
                    decisions,
                    acceptChangedRunbookReason,
                    reconnectWindow,
                    watchdogInterval,
                    gauges,
                    inDoubtElsewhere,
                    sampleEvery);
        }

        public Options withDecisions(Map<String, Decision> given) {
            return new Options(
                    schema,
                    preApprovals,
                    given,
                    acceptChangedRunbookReason,
                    reconnectWindow,
                    watchdogInterval,
                    gauges,
                    inDoubtElsewhere,
                    sampleEvery);
        }

        public Options withAcceptChangedRunbook(String reason) {
            return new Options(
                    schema,
                    preApprovals,
                    decisions,
                    reason,
                    reconnectWindow,
                    watchdogInterval,
                    gauges,
                    inDoubtElsewhere,
                    sampleEvery);
        }

        public Options withSchema(LockstepSchema other) {
            return new Options(
                    other,
                    preApprovals,
                    decisions,
                    acceptChangedRunbookReason,
                    reconnectWindow,
                    watchdogInterval,
                    gauges,
                    inDoubtElsewhere,
                    sampleEvery);
        }

        public Options withGauges(EngineGauges other) {
            return new Options(
                    schema,
                    preApprovals,
                    decisions,
                    acceptChangedRunbookReason,
                    reconnectWindow,
                    watchdogInterval,
                    other,
                    inDoubtElsewhere,
                    sampleEvery);
        }

        public Options withInDoubtElsewhere(Supplier<Set<String>> steps) {
            return new Options(
                    schema,
                    preApprovals,
                    decisions,
                    acceptChangedRunbookReason,
                    reconnectWindow,
                    watchdogInterval,
                    gauges,
                    steps,
                    sampleEvery);
        }

        public Options withSampleEvery(Duration every) {
            return new Options(
                    schema,
                    preApprovals,
                    decisions,
                    acceptChangedRunbookReason,
                    reconnectWindow,
                    watchdogInterval,
                    gauges,
                    inDoubtElsewhere,
                    every);
        }
    }

    private final ConnectionSource source;
    private final EngineListener listener;
    private final Operator operator;
    private final Directive.Source directives;
    private final Options options;
    private final Holder holder;
    private volatile RunContext context;
    private volatile String earlyStop;

    public RunEngine(
            ConnectionSource source,
            EngineListener listener,
            Operator operator,
            Directive.Source directives,
            Options options,
            Holder holder) {
        this.source = source;
        this.listener = listener;
        this.operator = operator;
        this.directives = directives;
        this.options = options;
        this.holder = holder;
    }

    /** Stops at the next safe point (after the batch or statement in flight); safe from any thread. */
    public void requestStop(String reason) {
        earlyStop = reason;
        RunContext running = context;
        if (running != null) {
            running.requestStop(reason);
        }
    }

    /**
     * Adds a note to the run's record (a drill injected beside it, say); false when the run is not under way.
     * Safe from any thread.
     */
    public boolean note(String text) {
        RunContext running = context;
        if (running == null) {
            return false;
        }
        running.emit(new EngineEvent.Note(Instant.now(), null, text));
        return true;
    }

    /**
     * An operator's command to the running run, recorded as a decision before it acts; safe from any thread.
     * Refused before the run has opened and after it ended.
     */
    public Command.Outcome command(Command command) {
        RunContext running = context;
        if (running == null) {
            return Command.Outcome.refused("the run is not under way: it has not opened yet, or it has ended");
        }
        return running.command(command);
    }

    /**
     * Why a run could not start, in the classes of docs/recovery.md: a role without the privileges the schema
     * and lease need, or a server that refuses writes (a standby, say), is a failure with its facts (exit 1),
     * not "stopped"; nothing ran either way.
     */
    private static LockstepException cannotStart(Connection connection, SQLException e) {
        FailureClass failureClass = FailureClass.ofSqlState(e.getSQLState());
        String error = e.getMessage() == null
                ? e.toString()
                : e.getMessage().lines().findFirst().orElse("");
        switch (failureClass) {
            case CONNECTION_LOST -> {
                return LockstepException.unreachable(
                        "lost the control session while taking the run lease: " + error, e);
            }
            case PERMISSION, READ_ONLY -> {
                StringBuilder message = new StringBuilder("cannot start the run: ")
                        .append(failureClass.id())
                        .append(" (SQLSTATE ")
                        .append(e.getSQLState())
                        .append("): ")
                        .append(error)
                        .append("; ")
                        .append(failureClass.explanation());
                for (Fact fact : Inspector.atStart(connection, failureClass)) {
                    message.append("; ").append(fact.name()).append(": ").append(fact.value());
                }
                message.append(
                        failureClass == FailureClass.PERMISSION
                                ? "; nothing ran: grant the role what the Lockstep schema needs (docs/operations.md,"
                                        + " \"The Lockstep schema\") or connect as one that has it"
                                : "; nothing ran");
                return new LockstepException(ExitCode.STEP_FAILED, message.toString(), e);
            }
            default -> {
                return new LockstepException(ExitCode.STOPPED, "cannot take the run lease: " + error, e);
            }
        }
    }

    public RunResult run(RunPlan plan) {
        Connection connection;
        try {
            connection = source.open();
        } catch (SQLException e) {
            throw LockstepException.unreachable("cannot open the control session: " + e.getMessage(), e);
        }
        RunLease lease = new RunLease(options.schema(), plan.runbookId());
        RunLease.Acquired acquired;
        try {
            options.schema().ensure(connection);
            RunLease.Outcome outcome = lease.acquire(
                    connection,
                    plan.runbookSha256(),
                    plan.fingerprints(),
                    holder,
                    options.acceptChangedRunbookReason());
            if (outcome instanceof RunLease.AlreadyDone done) {
                RunContext.closeQuietly(connection);
                String message = "runbook " + plan.runbookId() + " already completed on this database (run "
                        + done.run().runId() + ", ended " + done.run().endedAt() + "); nothing to do";
                listener.on(new EngineEvent.RunClosed(
                        Instant.now(), done.run().runId(), RunState.DONE, ExitCode.DONE.code(), message));
                return new RunResult(done.run().runId(), RunState.DONE, ExitCode.DONE, message);
            }
            acquired = (RunLease.Acquired) outcome;
        } catch (SQLException e) {
            LockstepException refusal = cannotStart(connection, e);
            RunContext.closeQuietly(connection);
            throw refusal;
        } catch (RuntimeException e) {
            RunContext.closeQuietly(connection);
            throw e;
        }
        RunRecord record = acquired.run();
        RunContext run = new RunContext(
                options.schema(),
                record.runId(),
                plan.runbookId(),
                holder,
                operator,
                source,
                connection,
                lease,
                listener,
                directives,
                options.gauges(),
                options.reconnectWindow(),
                new AdvanceDecisions(options.decisions()));
        options.gauges().window(plan.windowEnd());
        context = run;
        if (earlyStop != null) {
            run.requestStop(earlyStop);
        }
        Watchdog watchdog = new Watchdog(run, directives, options);
        // from here on the lease is released whatever happens, a listener refusing the open record included
        try {
            run.emit(new EngineEvent.RunOpened(
                    Instant.now(),
                    record.runId(),
                    plan.runbookId(),
                    plan.runbookSha256(),
                    record.database(),
                    holder.userAtHost() + " pid " + holder.pid(),
                    acquired.resumed(),
                    acquired.takenOverFrom().map(RunRecord::holderDescription).orElse(null)));
            acquired.takenOverFrom()
                    .ifPresent(previous -> run.emit(new EngineEvent.Recovered(
                            Instant.now(),
                            previous.currentStep(),
                            "takeover",
                            "run " + previous.runId() + " was "
                                    + previous.state().label()
                                    + " under " + previous.holderDescription() + " (last heartbeat "
                                    + previous.heartbeatAt()
                                    + "), whose session is gone; taken over")));
            if (options.acceptChangedRunbookReason() != null && acquired.resumed()) {
                run.emit(new EngineEvent.DecisionMade(
                        Instant.now(),
                        null,
                        holder.userAtHost(),
                        "accept-changed-runbook",
                        options.acceptChangedRunbookReason(),
                        acquired.runbookChanges()));
            }
            for (String step : options.inDoubtElsewhere().get()) {
                run.emit(new EngineEvent.Recovered(
                        Instant.now(),
                        step,
                        "in doubt",
                        "the timeline shows step " + step + " started without an end; the step ledger decides"
                                + " whether it applied"));
            }
            watchdog.start();
            return finish(run, execute(run, plan, record.failureJson()));
        } finally {
            watchdog.stop();
            context = null;
            try {
                lease.release(run.connection());
            } catch (SQLException e) {
                // a lost session released the advisory lock with it
            }
            RunContext.closeQuietly(run.connection());
        }
    }

    private RunResult execute(RunContext run, RunPlan plan, String pendingFailure) {
        StepExecutor executor = new StepExecutor(run, options.preApprovals(), plan.stepEstimates());
        FailureRecovery recovery = new FailureRecovery(run, plan, executor);
        FailureRecovery.Pending pending = FailureRecovery.pending(pendingFailure);
        // a migration ledger's finding kept from an earlier process is not a step's: the gate reads it again
        boolean findingKept =
                pending != null && LedgerGate.isStartFinding(pending.failure().stepId());
        if (findingKept) {
            pending = null;
        }
        try {
            run.safePoint();
            Optional<RunResult> ledgers = new LedgerGate(run, plan).atStart(findingKept);
            if (ledgers.isPresent()) {
                return ledgers.get();
            }
            for (StepPlan step : plan.steps()) {
                Optional<RunResult> end;
                if (pending != null && pending.mainStep().equals(step.stepId())) {
                    end = recovery.resume(step, pending);
                    pending = null;
                } else {
                    end = recovery.runStep(step);
                }
                if (end.isPresent()) {
                    return end.get();
                }
            }
            run.currentStep(null);
            return new RunResult(run.runId, RunState.DONE, ExitCode.DONE, "run " + run.runId + " done");
        } catch (FailureUndecided undecided) {
            return new RunResult(run.runId, RunState.FAILED, ExitCode.STEP_FAILED, undecided.getMessage());
        } catch (RunStopped stopped) {
            return new RunResult(
                    run.runId,
                    RunState.STOPPED,
                    ExitCode.STOPPED,
                    (run.currentStep() == null
                                    ? "stopped before the first step"
                                    : "stopped at step " + run.currentStep())
                            + ": " + stopped.getMessage()
                            + "; the run is resumable (run the same command again)");
        } catch (LockstepException e) {
            RunState state = e.exitCode() == ExitCode.STOPPED || e.exitCode() == ExitCode.DATABASE_UNREACHABLE
                    ? RunState.STOPPED
                    : RunState.FAILED;
            return new RunResult(run.runId, state, e.exitCode(), e.getMessage());
        } catch (SQLException e) {
            if (SqlStates.connectionLost(e)) {
                return new RunResult(
                        run.runId,
                        RunState.STOPPED,
                        ExitCode.DATABASE_UNREACHABLE,
                        "lost the control session: " + e.getMessage() + "; the run is resumable");
            }
            return new RunResult(
                    run.runId,
                    RunState.FAILED,
                    ExitCode.STEP_FAILED,
                    "step " + run.currentStep() + " failed: " + e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")");
        }
    }

    /**
     * Records the outcome: the timeline's close first (the listener forces it to disk), then the run row. A
     * crash between the two leaves a row still active whose holder is gone: the next run takes it over,
     * finds every step completed and closes again, rather than a row saying done over an unclosed timeline.
     */
    private RunResult finish(RunContext run, RunResult result) {
        run.transition(result.state(), result.message(), EngineEvent.StateChanged.Cause.OUTCOME, null);
        run.emit(new EngineEvent.RunClosed(
                Instant.now(), run.runId, result.state(), result.exitCode().code(), result.message()));
        try {
            Connection connection = run.connection();
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
            run.runs.update(connection, run.runId, result.state(), run.currentStep());
        } catch (SQLException e) {
            // the run row keeps its last recorded state; the lease goes with the session either way
        }
        return result;
    }

    /**
     * Reads the criteria independently of the step in flight: records breaches and clears as they happen,
     * cancels the statement in flight on an abort so that the run stops now rather than after the
     * statement, and emits the latest signal readings every {@code sampleEvery}.
     */
    private static final class Watchdog {
        private final RunContext run;
        private final Directive.Source directives;
        private final Duration interval;
        private final Duration sampleEvery;
        private final Thread thread;
        private volatile boolean stopped;

        Watchdog(RunContext run, Directive.Source directives, Options options) {
            this.run = run;
            this.directives = directives;
            this.interval = options.watchdogInterval();
            this.sampleEvery = options.sampleEvery();
            this.thread = new Thread(this::loop, "lockstep-watchdog");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() {
            stopped = true;
            thread.interrupt();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void loop() {
            long lastSample = System.nanoTime();
            while (!stopped) {
                try {
                    Directive current = directives.current();
                    run.flushCriteriaEvents();
                    if (current.is(StopAction.ABORT) && !run.aborting()) {
                        run.abort(current);
                    }
                    if (System.nanoTime() - lastSample >= sampleEvery.toNanos()) {
                        lastSample = System.nanoTime();
                        Map<String, Object> readings = new java.util.TreeMap<>(directives.latestReadings());
                        readings.put("rows_per_second", run.gauges.rowsPerSecond());
                        run.emit(new EngineEvent.Sampled(Instant.now(), run.currentStep(), readings));
                    }
                } catch (RuntimeException listenerFailure) {
                    // a listener that cannot record refuses on the engine's thread too, where it stops the run
                }
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
