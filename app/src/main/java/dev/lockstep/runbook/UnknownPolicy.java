package dev.lockstep.runbook;

/** How a stop criterion treats a signal that could not be read ({@code unknown:}). */
public enum UnknownPolicy {
    /** Fail closed (the default): an unreadable signal counts as beyond the threshold. */
    BREACH,
    /** The reading is skipped and the criterion keeps the state it had. */
    IGNORE
}
