package dev.lockstep.cli;

import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.RunState;
import dev.lockstep.sandbox.Drill;
import dev.lockstep.sandbox.Drills;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.tui.plain.LineFormat;
import dev.lockstep.tui.plain.PlainConsole;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.Predicate;

/**
 * The drill that runs beside the demo's run: once the backfill is under way it pauses WAL replay on the
 * standby, keeps it paused until the run has visibly paused on the standby-lag criterion, then resumes replay
 * so that the lag clears and the run resumes by itself. It waits for what the run does (its typed events),
 * never for a guessed time, and gives up (undoing the drill) when the run ends first.
 */
final class DemoStory implements Runnable {

    static final String BACKFILL_STEP = "backfill-open-cases";
    static final String LAG_CRITERION = "standby-lag";

    /** How long the paused run stays on screen before the drill lets replay go on. */
    private static final Duration SHOW_PAUSE = Duration.ofSeconds(6);
    /** Lets a few batches and a status line go by before the fault, so that the pause is visible against them. */
    private static final Duration SHOW_PROGRESS = Duration.ofSeconds(4);

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private final Sandbox sandbox;
    private final DemoEvents events;
    private final String maxLag;
    private final PrintWriter out;
    private final LineFormat format;
    private volatile boolean runEnded;
    private volatile boolean replayPaused;
    private volatile boolean replayResumed;

    DemoStory(Sandbox sandbox, DemoEvents events, PrintWriter out, String maxLag, ZoneId zone) {
        this.sandbox = sandbox;
        this.maxLag = maxLag;
        this.events = events;
        this.out = out;
        this.format = new LineFormat(zone);
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
        try (Drill pauseReplay = Drills.of("pause-replay", Drills.Target.of(sandbox), Drills.Options.defaults())) {
            if (!await(event ->
                    event instanceof EngineEvent.StepStarted step && step.step().equals(BACKFILL_STEP))) {
                return;
            }
            if (!pauseFor(SHOW_PROGRESS)) {
                return;
            }
            say(pauseReplay.inject());
            replayPaused = true;
            say(LAG_CRITERION + " pauses the run when the lag is over " + maxLag + " for 5s");
            boolean paused = await(DemoStory::breached) && await(DemoStory::pausedByLag);
            if (paused) {
                pauseFor(SHOW_PAUSE);
            }
            say(pauseReplay.undo());
            replayResumed = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            say("the drill failed: " + e.getMessage());
        }
    }

    private boolean await(Predicate<EngineEvent> wanted) throws InterruptedException {
        return events.await(wanted, () -> runEnded || Thread.currentThread().isInterrupted(), PATIENCE);
    }

    /** Sleeps unless the run ends first; false when it did. */
    private boolean pauseFor(Duration duration) throws InterruptedException {
        return !events.await(event -> false, () -> runEnded, duration) && !runEnded;
    }

    static boolean breached(EngineEvent event) {
        return event instanceof EngineEvent.Breach breach && breach.criterion().equals(LAG_CRITERION);
    }

    static boolean pausedByLag(EngineEvent event) {
        return event instanceof EngineEvent.StateChanged state
                && state.to() == RunState.PAUSED
                && state.cause() == EngineEvent.StateChanged.Cause.CRITERIA
                && LAG_CRITERION.equals(state.by());
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

    /** A line of the drill's own, in line mode's columns so that it reads as part of the run. */
    private void say(String text) {
        int width = System.console() == null ? 0 : PlainConsole.DEFAULT_WIDTH;
        format.lines(Instant.now(), "DRILL", text, width).forEach(out::println);
        out.flush();
    }
}
