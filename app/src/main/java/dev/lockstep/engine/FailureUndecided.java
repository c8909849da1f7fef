package dev.lockstep.engine;

/**
 * A step failed and the run ends without a decision about it (nobody attending and no {@code --decide}, or
 * a {@code --decide} whose option is not available): nothing more ran, the run is failed, and running the
 * same command again asks again. Exit 1.
 */
final class FailureUndecided extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FailureUndecided(String message) {
        super(message, null, false, false);
    }
}
