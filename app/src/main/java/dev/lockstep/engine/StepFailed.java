package dev.lockstep.engine;

import dev.lockstep.recovery.FailedAttempt;

/**
 * A step ended in failure: a statement error that retries did not cure, a check or verify that did not
 * hold. It carries what the engine knows of the attempt, for the inspector to classify.
 */
final class StepFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient FailedAttempt attempt;

    /** @param attempt the failed attempt; null when the step failed before any attempt started */
    StepFailed(String message, FailedAttempt attempt) {
        super(message, null, false, false);
        this.attempt = attempt;
    }

    /** Null when the step failed before an attempt started (its SQL cannot run as validated). */
    FailedAttempt attempt() {
        return attempt;
    }
}
