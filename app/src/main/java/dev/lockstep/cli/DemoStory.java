package dev.lockstep.cli;

import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.RunSession;
import dev.lockstep.engine.RunState;
import dev.lockstep.sandbox.Drill;
import dev.lockstep.sandbox.Drills;
import dev.lockstep.sandbox.Sandbox;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The drills that run beside the demo's run, in two acts. First a lock holder on enforcement_case while the
 * runbook adds its column: the ALTER and the application's writes queue, the lock-queue criterion pauses the
 * run, the screen names the blocker; the operator terminates it (or the drill lets go after a while), the
 * queue clears, and the operator decides to resume. Then, once the backfill is under way, WAL replay is paused
 * on the standby until the standby-lag criterion pauses the run, and resumed so that the lag clears and the
 * run goes on by itself. The story waits for what the run does (its typed events), never for a guessed time,
 * gives up (undoing the drill) when the run ends first, and tells the run's record what it did: its notes are
 * in the timeline and on the screen.
 */
final class DemoStory implements Runnable {

    static final String BACKFILL_STEP = "backfill-open-cases";
    static final String DDL_STEP = "add-column";
    static final String LOCK_CRITERION = "lock-queue";
    static final String LAG_CRITERION = "standby-lag";

    /** How long a paused run stays on screen before an unattended drill lets go. */
    private static final Duration SHOW_PAUSE = Duration.ofSeconds(6);
    /** How long an operator has to deal with the lock holder before the drill lets go by itself. */
    private static final Duration OPERATOR_TIME = Duration.ofSeconds(45);
    /** Lets a few batches go by before the fault, so that the pause is visible against them. */
    private static final Duration SHOW_PROGRESS = Duration.ofSeconds(4);

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private final Sandbox sandbox;
    private final DemoEvents events;
    private final RunSession session;
    private final String maxLag;
    private final boolean operatorAttends;
    private volatile boolean runEnded;
    private Drill lockHolder;
    private String lockHolderInjected;
    private volatile boolean replayPaused;
    private volatile boolean replayResumed;

    /** @param operatorAttends a person answers (the console, or line mode at a terminal) */
    DemoStory(Sandbox sandbox, DemoEvents events, RunSession session, String maxLag, boolean operatorAttends) {
        this.sandbox = sandbox;
        this.events = events;
        this.session = session;
        this.maxLag = maxLag;
        this.operatorAttends = operatorAttends;
    }

    void runEnded() {
        runEnded = true;
    }

    boolean replayWasPaused() {
        return replayPaused;
    }

    boolean replayWasResumed() {
        return replayResumed;
    }

    @Override
    public void run() {
        try {
            lockQueue();
            standbyLag();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            say("the drill failed: " + e.getMessage());
        } finally {
            if (lockHolder != null) {
                lockHolder.undo(); // undo is idempotent: the run may have ended before act one did
            }
        }
    }

    /**
     * Takes the lock before the run starts, so that the ALTER always meets it: injected once the run is under
     * way, it would race the first steps, and on a slow machine find the column added and the backfill's short
     * lock timeout running out before the queue had waited long enough to pause the run.
     */
    void takeTheLock() {
        lockHolder = Drills.of(
                "lock-holder",
                Drills.Target.of(sandbox),
                Drills.Options.defaults().withTable("enforcement_case"));
        try {
            lockHolderInjected = lockHolder.inject();
        } catch (RuntimeException e) {
            lockHolder.undo();
            lockHolder = null; // the run goes on without act one; the demo's checklist says what did not happen
        }
    }

    /** Act one: the lock holder makes the DDL and the application queue until the run pauses. */
    private void lockQueue() throws InterruptedException {
        if (lockHolder == null) {
            return;
        }
        try (Drill holder = lockHolder) {
            if (!await(event -> event instanceof EngineEvent.RunOpened)) {
                return;
            }
            say("drill " + lockHolderInjected);
            if (!await(DemoStory::pausedByLocks)) {
                return;
            }
            if (operatorAttends) {
                say("drill: end the lock holder (2, select it, K) or wait " + OPERATOR_TIME.toSeconds()
                        + "s for the drill to let go; then answer whether to resume");
                if (!events.await(DemoStory::lockQueueCleared, () -> runEnded, OPERATOR_TIME)) {
                    say("drill: nobody terminated the holder; the drill lets go of its lock now");
                }
            } else {
                pauseFor(SHOW_PAUSE);
            }
            say("drill " + holder.undo());
        }
    }

    /** Act two: replay paused on the standby until the lag criterion pauses the backfill, then resumed. */
    private void standbyLag() throws InterruptedException {
        if (!await(event ->
                event instanceof EngineEvent.StepStarted step && step.step().equals(BACKFILL_STEP))) {
            return;
        }
        if (!pauseFor(SHOW_PROGRESS)) {
            return;
        }
        try (Drill pauseReplay = Drills.of("pause-replay", Drills.Target.of(sandbox), Drills.Options.defaults())) {
            say("drill " + pauseReplay.inject() + "; " + LAG_CRITERION + " pauses the run when the lag is over "
                    + maxLag + " for 5s");
            replayPaused = true;
            boolean paused = await(DemoStory::breached) && await(DemoStory::pausedByLag);
            if (paused) {
                pauseFor(SHOW_PAUSE);
            }
            say("drill " + pauseReplay.undo());
            replayResumed = true;
        }
    }

    private boolean await(Predicate<EngineEvent> wanted) throws InterruptedException {
        return events.await(wanted, () -> runEnded || Thread.currentThread().isInterrupted(), PATIENCE);
    }

    /** Sleeps unless the run ends first; false when it did. */
    private boolean pauseFor(Duration duration) throws InterruptedException {
        return !events.await(event -> false, () -> runEnded, duration) && !runEnded;
    }

    static boolean pausedByLocks(EngineEvent event) {
        return pausedBy(event, LOCK_CRITERION);
    }

    static boolean lockQueueCleared(EngineEvent event) {
        return event instanceof EngineEvent.Clear clear && clear.criterion().equals(LOCK_CRITERION);
    }

    static boolean breached(EngineEvent event) {
        return event instanceof EngineEvent.Breach breach && breach.criterion().equals(LAG_CRITERION);
    }

    static boolean pausedByLag(EngineEvent event) {
        return pausedBy(event, LAG_CRITERION);
    }

    private static boolean pausedBy(EngineEvent event, String criterion) {
        return event instanceof EngineEvent.StateChanged state
                && state.to() == RunState.PAUSED
                && state.cause() == EngineEvent.StateChanged.Cause.CRITERIA
                && state.by() != null
                && state.by().contains(criterion);
    }

    static boolean cleared(EngineEvent event) {
        return event instanceof EngineEvent.Clear clear && clear.criterion().equals(LAG_CRITERION);
    }

    static boolean resumedByItself(EngineEvent event) {
        return event instanceof EngineEvent.StateChanged state
                && state.from() == RunState.PAUSED
                && state.to() == RunState.RUNNING
                && state.cause() == EngineEvent.StateChanged.Cause.CRITERIA;
    }

    /** A drill's line is part of the run's story: a note in its timeline and on its screen. */
    private void say(String text) {
        session.note(text);
    }
}
