package dev.lockstep.criteria;

import java.time.Duration;
import java.util.Objects;

/**
 * How a throttle slows a backfill: the engine multiplies its (adaptive) batch size by {@code batchSizeMultiplier}
 * and adds {@code addedPause} between batches.
 */
public record Throttle(double batchSizeMultiplier, Duration addedPause) {
    /** No slowing down. */
    public static final Throttle NONE = new Throttle(1.0, Duration.ZERO);
    /** Half-size batches and one extra second between them, unless the evaluator is given another policy. */
    public static final Throttle DEFAULT = new Throttle(0.5, Duration.ofSeconds(1));

    public Throttle {
        Objects.requireNonNull(addedPause, "addedPause");
        if (!(batchSizeMultiplier > 0 && batchSizeMultiplier <= 1)) {
            throw new IllegalArgumentException(
                    "a throttle's batch size multiplier must be in (0, 1], got " + batchSizeMultiplier);
        }
        if (addedPause.isNegative()) {
            throw new IllegalArgumentException("a throttle's added pause must not be negative");
        }
    }
}
