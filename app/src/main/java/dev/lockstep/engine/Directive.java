package dev.lockstep.engine;

/**
 * What the stop criteria currently ask of the run. The criteria sampler publishes one; the engine reads
 * it at every safe point (before each batch and step) and a watchdog reads it to cancel on abort.
 */
public record Directive(Action action, String criterion, String reason, boolean autoResume) {

    public enum Action {
        NONE,
        THROTTLE,
        PAUSE,
        ABORT
    }

    public static final Directive NONE = new Directive(Action.NONE, null, null, false);

    /** Where the current directive comes from; {@code () -> Directive.NONE} when the runbook has no criteria. */
    @FunctionalInterface
    public interface Source {
        Directive current();
    }
}
