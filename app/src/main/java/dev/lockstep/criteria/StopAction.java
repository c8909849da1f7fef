package dev.lockstep.criteria;

/** What a breached criterion asks of the run, weakest first. */
public enum StopAction {
    /** The backfill goes on with smaller batches and longer pauses. */
    THROTTLE,
    /** No new batch or step starts. */
    PAUSE,
    /** The in-flight statement is cancelled and the run stops, resumable. */
    ABORT;

    public Directive directive() {
        return switch (this) {
            case THROTTLE -> Directive.THROTTLE;
            case PAUSE -> Directive.PAUSE;
            case ABORT -> Directive.ABORT;
        };
    }
}
