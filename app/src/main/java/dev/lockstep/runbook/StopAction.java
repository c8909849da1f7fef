package dev.lockstep.runbook;

/**
 * What a breached stop criterion asks of the run, weakest first: the one type for it, from the runbook's
 * {@code action:} through the criteria's verdict to the engine's directive. Where no criterion is in force the
 * verdict and the directive hold none (an empty optional): the run proceeds.
 */
public enum StopAction {
    /** The backfill goes on with smaller batches and longer pauses. */
    THROTTLE,
    /** No new batch or step starts until the breach clears (auto_resume) or the operator resumes. */
    PAUSE,
    /** The in-flight statement is cancelled and the run stops, resumable, with exit code 4. */
    ABORT
}
