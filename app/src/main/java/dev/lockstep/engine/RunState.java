package dev.lockstep.engine;

import java.util.Locale;

/**
 * The states of a run. {@code stopped} and {@code failed} are resumable; {@code done}, {@code rolled_back}
 * and {@code abandoned} are final (after the last two a new run of the runbook may start).
 */
public enum RunState {
    PENDING,
    RUNNING,
    THROTTLED,
    PAUSED,
    STOPPED,
    FAILED,
    DONE,
    /** The operator chose the declared rollback after a failure, and it ran. */
    ROLLED_BACK,
    /** The operator closed the run after a failure, touching nothing. */
    ABANDONED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunState of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }

    /** The run is over: nothing resumes it. */
    public boolean isFinal() {
        return this == DONE || this == ROLLED_BACK || this == ABANDONED;
    }

    /** A process is (or was, if it died) working on the run: taking it over must be recorded. */
    public boolean active() {
        return this == PENDING || this == RUNNING || this == THROTTLED || this == PAUSED;
    }
}
