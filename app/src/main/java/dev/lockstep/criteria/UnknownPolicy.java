package dev.lockstep.criteria;

/** How a criterion treats a signal that could not be read. */
public enum UnknownPolicy {
    /** Fail closed (the default): an unreadable signal counts as beyond the threshold. */
    BREACH,
    /** The reading is skipped and the criterion keeps the state it had. */
    IGNORE
}
