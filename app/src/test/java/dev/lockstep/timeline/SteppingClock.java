package dev.lockstep.timeline;

import java.time.Instant;

/** A clock that advances a fixed step on every reading: deterministic timelines for tests and vectors. */
final class SteppingClock implements TimelineClock {
    private final Instant start;
    private final long stepMillis;
    private long mono;

    SteppingClock(Instant start, long stepMillis) {
        this.start = start;
        this.stepMillis = stepMillis;
    }

    @Override
    public synchronized Instant now() {
        return start.plusMillis(mono);
    }

    @Override
    public synchronized long monoMillis() {
        long now = mono;
        mono += stepMillis;
        return now;
    }
}
