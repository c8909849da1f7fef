package dev.lockstep.criteria;

import java.util.Objects;

/** One signal's value at one instant, or the reason it could not be read. */
public sealed interface SignalReading permits SignalReading.Value, SignalReading.Unknown {

    /** A finite value; anything else (NaN, infinity) is read as unknown so that it fails closed. */
    static SignalReading of(double value) {
        if (!Double.isFinite(value)) {
            return new Unknown("the value is not a finite number (" + value + ")");
        }
        return new Value(value);
    }

    static SignalReading unknown(String reason) {
        return new Unknown(reason);
    }

    boolean isKnown();

    /** The value as text, or {@code unknown (reason)}: the form events and summaries use. */
    String describe();

    record Value(double value) implements SignalReading {
        public Value {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("a signal value must be finite, got " + value);
            }
        }

        @Override
        public boolean isKnown() {
            return true;
        }

        @Override
        public String describe() {
            return formatNumber(value);
        }
    }

    record Unknown(String reason) implements SignalReading {
        public Unknown {
            Objects.requireNonNull(reason, "reason");
            if (reason.isBlank()) {
                throw new IllegalArgumentException("an unknown reading needs a reason");
            }
        }

        @Override
        public boolean isKnown() {
            return false;
        }

        @Override
        public String describe() {
            return "unknown (" + reason + ")";
        }
    }

    /** Whole numbers without a fraction, others with up to three decimals: what an operator reads fastest. */
    static String formatNumber(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return java.math.BigDecimal.valueOf(value)
                .setScale(3, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
    }
}
