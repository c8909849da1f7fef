package dev.lockstep.probe;

import java.util.Objects;

/**
 * One built-in stop-criteria signal as a {@link Snapshot} reads it: a value, or the reason it cannot be read
 * this tick (server unreachable, part switched off or timed out, a standby's lag unknown). An unknown signal
 * never stands in as 0: the stop criteria apply their unknown policy, {@code lockstep watch} prints null.
 *
 * @param value the value; null exactly when {@code unknownReason} is set
 * @param unknownReason why the signal cannot be read, in words an operator can act on; null when known
 */
public record SignalValue(Double value, String unknownReason) {

    public SignalValue {
        if ((value == null) == (unknownReason == null)) {
            throw new IllegalArgumentException("a signal has either a value or the reason it is unknown");
        }
        if (value != null && !Double.isFinite(value)) {
            throw new IllegalArgumentException("a signal value must be finite, got " + value);
        }
        if (unknownReason != null && unknownReason.isBlank()) {
            throw new IllegalArgumentException("an unknown signal needs a reason");
        }
    }

    public static SignalValue of(double value) {
        return new SignalValue(value, null);
    }

    public static SignalValue unknown(String reason) {
        return new SignalValue(null, Objects.requireNonNull(reason, "reason"));
    }

    public boolean known() {
        return value != null;
    }

    /** The value rounded to a whole number (counts and bytes), or null when unknown. */
    public Long wholeOrNull() {
        return value == null ? null : Math.round(value);
    }
}
