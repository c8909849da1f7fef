package dev.lockstep.engine;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Jittered exponential backoff ("equal jitter"): attempt n waits between half and all of
 * min(max, initial * 2^n), so retrying runners spread out instead of hitting a lock in step.
 */
public record Backoff(Duration initial, Duration max) {

    public static final Backoff LOCK_RETRY = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    public static final Backoff RECONNECT = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(8));

    public Duration delay(int retry) {
        double ceiling = Math.min(max.toMillis(), initial.toMillis() * Math.pow(2, Math.max(0, retry - 1)));
        double jittered = ceiling / 2 + ThreadLocalRandom.current().nextDouble() * ceiling / 2;
        return Duration.ofMillis(Math.max(1, Math.round(jittered)));
    }
}
