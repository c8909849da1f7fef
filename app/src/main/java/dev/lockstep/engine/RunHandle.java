package dev.lockstep.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A run as a front end holds it: what it looks like now, the commands an operator may send, and how it
 * ended. {@link RunSession} is the handle of a run this process executes.
 */
public interface RunHandle {

    /** Everything a screen shows, as of the latest event; safe from any thread. */
    RunView view();

    /**
     * An operator's command: recorded as a decision (who, why) before it acts, or refused with the reason
     * (nothing is recorded then). Safe from any thread; the decision's timeline line is written on the
     * caller's thread before this returns.
     */
    Command.Outcome send(Command command);

    /** Stops at the next safe point, for a signal or a closing terminal: no decision, the close says why. */
    void interrupt(String reason);

    /** How the run ended, once it has; waits at most {@code timeout}. */
    Optional<RunResult> awaitEnd(Duration timeout) throws InterruptedException;

    /** The run's timeline file, once the run opened; null for a run another process executes. */
    Path timelineFile();
}
