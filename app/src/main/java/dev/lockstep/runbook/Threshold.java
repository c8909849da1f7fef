package dev.lockstep.runbook;

/**
 * A limit on a signal's value in the signal's unit (seconds, bytes, a count or a ratio). In the runbook
 * a seconds signal may be given a duration ({@code above: 5s}) and a bytes signal a byte size
 * ({@code above: 64MB}); both are stored as plain numbers here.
 */
public record Threshold(Direction direction, Value<Double> value) {

    /** {@code above}: breached when the signal is greater; {@code below}: breached when it is smaller. */
    public enum Direction {
        ABOVE,
        BELOW
    }
}
