package dev.lockstep.engine;

import java.util.Locale;

/** The states of a run. {@code stopped} and {@code failed} are resumable; {@code done} is final. */
public enum RunState {
    PENDING,
    RUNNING,
    THROTTLED,
    PAUSED,
    STOPPED,
    FAILED,
    DONE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunState of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }

    /** A process is (or was, if it died) working on the run: taking it over must be recorded. */
    public boolean active() {
        return this == PENDING || this == RUNNING || this == THROTTLED || this == PAUSED;
    }
}
