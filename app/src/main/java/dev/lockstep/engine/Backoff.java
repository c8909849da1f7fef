package dev.lockstep.engine;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Jittered exponential backoff within the declared range: retry n waits between half and all of
 * min(max, initial * 2^(n-1)), never less than {@code initial}, so retrying runners spread out instead of
 * hitting a lock in step, and a runbook's {@code backoff: 500ms..2s} never waits less than 500 ms nor more
 * than 2 s.
 */
record Backoff(Duration initial, Duration max) {

    public static final Backoff RECONNECT = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(8));

    public Duration delay(int retry) {
        double floor = initial.toMillis();
        double ceiling = Math.max(floor, Math.min(max.toMillis(), floor * Math.pow(2, Math.max(0, retry - 1))));
        double low = Math.max(floor, ceiling / 2);
        double jittered = low + ThreadLocalRandom.current().nextDouble() * (ceiling - low);
        return Duration.ofMillis(Math.max(1, Math.round(jittered)));
    }
}
