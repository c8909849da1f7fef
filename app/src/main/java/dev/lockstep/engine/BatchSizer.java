package dev.lockstep.engine;

import java.time.Duration;

/**
 * Sizes batches towards a target duration, like pt-online-schema-change's {@code --chunk-time}: an
 * exponential moving average of keys per second times the target, clamped to [min, max]. Growth is
 * limited per batch (GitLab's optimizer caps its multiplier) so one fast batch on cached pages does not
 * produce a huge one; shrinking is not limited, because a slow batch is the thing to react to.
 */
final class BatchSizer {

    private static final double SMOOTHING = 0.4;
    private static final double MAX_GROWTH = 1.5;

    private Duration target;
    private final int min;
    private final int max;
    private int size;
    private double keysPerSecond = -1;

    /** {@code target} null means fixed batches of {@code initial} keys. */
    public BatchSizer(int initial, Duration target, int min, int max) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("batch bounds must satisfy 1 <= min <= max: " + min + ".." + max);
        }
        this.target = target;
        this.min = min;
        this.max = max;
        this.size = clamp(initial);
    }

    public int size() {
        return size;
    }

    /** Learns from a committed batch and returns the next size. */
    public int observe(long keys, long elapsedNanos) {
        if (target == null || keys <= 0 || elapsedNanos <= 0) {
            return size;
        }
        double rate = keys / (elapsedNanos / 1e9);
        keysPerSecond = keysPerSecond < 0 ? rate : SMOOTHING * rate + (1 - SMOOTHING) * keysPerSecond;
        double wanted = keysPerSecond * (target.toNanos() / 1e9);
        size = clamp((int) Math.min(Integer.MAX_VALUE, Math.min(wanted, size * MAX_GROWTH)));
        return size;
    }

    /** After a statement timeout: half the size, and forget the optimism that led to it. */
    public int halve() {
        size = clamp(size / 2);
        if (keysPerSecond > 0) {
            keysPerSecond /= 2;
        }
        return size;
    }

    public int min() {
        return min;
    }

    public int max() {
        return max;
    }

    /** The time a batch should take; null for fixed batches. */
    public Duration target() {
        return target;
    }

    /**
     * An operator's retune: batches aim at {@code newTarget} from now on, still within [min, max]. A fixed-size
     * backfill becomes adaptive, starting from its current size.
     */
    public void retarget(Duration newTarget) {
        target = newTarget;
    }

    private int clamp(int value) {
        return Math.max(min, Math.min(max, value));
    }
}
