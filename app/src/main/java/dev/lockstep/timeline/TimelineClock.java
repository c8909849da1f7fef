package dev.lockstep.timeline;

import java.time.Instant;

/** Wall-clock time for {@code ts} and a monotonic millisecond count for {@code mono_ms}. */
public interface TimelineClock {
    Instant now();

    /** Milliseconds since this writer started; never goes back, whatever the wall clock does. */
    long monoMillis();

    static TimelineClock system() {
        long start = System.nanoTime();
        return new TimelineClock() {
            @Override
            public Instant now() {
                return Instant.now();
            }

            @Override
            public long monoMillis() {
                return (System.nanoTime() - start) / 1_000_000;
            }
        };
    }
}
