package dev.lockstep.criteria;

/** Where one criterion stands. */
public enum CriterionState {
    /** The signal is on the good side. */
    OK,
    /** Beyond the threshold, but not yet for the criterion's {@code for} duration. */
    PENDING,
    /** Breached: the criterion's action is in force until the signal passes the clear threshold. */
    BREACHED,
    /**
     * The signal has cleared but the action stays in force until the operator releases it: a pause without
     * {@code auto_resume}, or an abort (which must not be lost because the signal recovered before the engine
     * looked).
     */
    HELD;

    public boolean inForce() {
        return this == BREACHED || this == HELD;
    }
}
