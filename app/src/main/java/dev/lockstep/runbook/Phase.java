package dev.lockstep.runbook;

/** Where a change sits in an expand/contract rollout. */
public enum Phase {
    EXPAND,
    MIGRATE,
    CUTOVER,
    CONTRACT;

    /** The spelling in a runbook: lower case. */
    public String yamlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
