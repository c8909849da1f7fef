package dev.lockstep.timeline;

import dev.lockstep.ExitCode;

/** The outcome of verifying a timeline, with the exit code {@code lockstep verify} ends with. */
public enum Verdict {
    /** Ends with close and the final checkpoint; every line sealed under this operator's key. */
    COMPLETE(ExitCode.DONE),
    /** Intact as far as it goes, but not sealed to the end: a crash, an unresumed run, or truncation. */
    INCOMPLETE(ExitCode.STEP_FAILED),
    /**
     * Intact and closed, but written with {@code --unsigned}: nothing proves who wrote it, so it is not
     * reported as complete.
     */
    UNSIGNED(ExitCode.STEP_FAILED),
    /** A line was changed, removed, inserted or reordered, or a signature or certificate is wrong. */
    TAMPERED(ExitCode.TIMELINE_TAMPERED);

    private final ExitCode exitCode;

    Verdict(ExitCode exitCode) {
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
