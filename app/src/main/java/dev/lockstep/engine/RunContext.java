package dev.lockstep.engine;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

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

    private final ConnectionSource source;
    private final RunLease lease;
    private final EngineListener listener;
    private final Directive.Source directives;
    final EngineGauges gauges;
    private volatile Connection connection;
    private volatile Statement inFlight;
    private volatile String stopRequest;
    private volatile Directive abortDirective;
    private volatile RunState state = RunState.PENDING;
    private volatile String currentStep;
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
            Duration reconnectWindow) {
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

    synchronized void emit(EngineEvent event) {
        listener.on(event);
    }

    void currentStep(String stepId) {
        this.currentStep = stepId;
    }

    String currentStep() {
        return currentStep;
    }

    /**
     * Emits the transition and records the state in the run row when the session allows. A final state
     * (done, stopped, failed) is left to the run loop, which writes the row only once the timeline's close
     * is on disk: a run the database calls done always has a closed timeline.
     */
    void transition(RunState to, String reason) {
        RunState from = state;
        if (from == to) {
            return;
        }
        state = to;
        emit(new EngineEvent.StateChanged(Instant.now(), from, to, reason));
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

    /** Asks the run to stop at the next safe point (after the current batch or statement). */
    void requestStop(String reason) {
        stopRequest = reason;
    }

    /** The watchdog's abort: stop now, cancelling the statement in flight. */
    void abort(Directive directive) {
        abortDirective = directive;
        cancelInFlight();
    }

    boolean aborting() {
        return abortDirective != null;
    }

    void checkStop() {
        Directive abort = abortDirective;
        if (abort != null) {
            throw new RunStopped("aborted by stop criterion " + abort.criterion() + ": " + abort.reason());
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
    synchronized void flushCriteriaEvents() {
        for (EngineEvent event : directives.drainEvents()) {
            listener.on(event);
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
                switch (directive.action()) {
                    case NONE -> {
                        transition(RunState.RUNNING, state == RunState.PENDING ? "started" : "stop criteria clear");
                        return Pace.NORMAL;
                    }
                    case THROTTLE -> {
                        transition(RunState.THROTTLED, describe(directive));
                        return new Pace(directive.batchMultiplier(), directive.addedPause());
                    }
                    case ABORT -> abort(directive);
                    case PAUSE -> {
                        transition(RunState.PAUSED, describe(directive));
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
        while (now.action() == Directive.Action.PAUSE && !now.autoResume() && !now.awaitingOperator()) {
            checkStop();
            flushCriteriaEvents();
            sleep(SAFE_POINT_POLL);
            now = directives.current();
        }
        flushCriteriaEvents();
        if (now.action() != Directive.Action.PAUSE || now.autoResume()) {
            // another criterion took over (an abort, a throttle) or the pause can lift by itself
            return;
        }
        var answer = operator.decide(
                currentStep,
                "stop criterion " + directive.criterion() + " cleared; resume the run?",
                List.of("resume", "stop"));
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
        directives.release();
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
        transition(RunState.PAUSED, "control session lost: " + cause.getMessage());
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
                    transition(before, "control session re-established");
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
