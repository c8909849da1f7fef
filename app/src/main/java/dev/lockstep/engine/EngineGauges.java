package dev.lockstep.engine;

import dev.lockstep.criteria.EngineSignals;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The signals only the engine knows (batch duration, step progress against its estimate, recent errors, the
 * window), and the pids of its own sessions. The engine's thread writes, the criteria sampler's reads; every
 * method is synchronized because both sides are cheap and rare compared with a database round trip.
 */
final class EngineGauges implements EngineSignals {

    private static final Duration ERROR_WINDOW = Duration.ofMinutes(1);

    private final Clock clock;
    private final Deque<Instant> errors = new ArrayDeque<>();
    private long batchStartedNanos;
    private double lastBatchSeconds;
    private long stepStartedNanos;
    private Duration stepEstimate;
    private Instant windowEnd;
    private double rowsPerSecond;
    private Set<Integer> ownPids = Set.of();

    public EngineGauges() {
        this(Clock.systemUTC());
    }

    public EngineGauges(Clock clock) {
        this.clock = clock;
    }

    /** The window's end (null: no window); set before the sampler starts, so it never reads it unknown. */
    public synchronized void window(Instant end) {
        windowEnd = end;
    }

    synchronized void stepStarted(Duration estimate) {
        stepStartedNanos = System.nanoTime();
        stepEstimate = estimate;
    }

    synchronized void stepEnded() {
        stepStartedNanos = 0;
        stepEstimate = null;
    }

    synchronized void batchStarted() {
        batchStartedNanos = System.nanoTime();
    }

    synchronized void batchEnded(double rowsPerSecondSmoothed) {
        lastBatchSeconds = (System.nanoTime() - batchStartedNanos) / 1e9;
        batchStartedNanos = 0;
        rowsPerSecond = rowsPerSecondSmoothed;
    }

    synchronized void batchAbandoned() {
        batchStartedNanos = 0;
    }

    synchronized void error() {
        errors.addLast(clock.instant());
    }

    synchronized void ownPids(Set<Integer> pids) {
        ownPids = Set.copyOf(pids);
    }

    /** The backend pids of the engine's sessions now (the control session's changes when it reconnects). */
    public synchronized Set<Integer> ownPids() {
        return ownPids;
    }

    /** The backfill's smoothed rows per second; 0 when no backfill runs. */
    public synchronized double rowsPerSecond() {
        return rowsPerSecond;
    }

    synchronized void backfillEnded() {
        rowsPerSecond = 0;
    }

    @Override
    public synchronized double batchSeconds() {
        if (batchStartedNanos != 0) {
            return (System.nanoTime() - batchStartedNanos) / 1e9;
        }
        return lastBatchSeconds;
    }

    @Override
    public synchronized double stepElapsedRatio() {
        if (stepStartedNanos == 0 || stepEstimate == null || stepEstimate.isZero()) {
            return 0;
        }
        return (System.nanoTime() - stepStartedNanos) / (double) stepEstimate.toNanos();
    }

    @Override
    public synchronized long errors() {
        Instant horizon = clock.instant().minus(ERROR_WINDOW);
        while (!errors.isEmpty() && errors.peekFirst().isBefore(horizon)) {
            errors.removeFirst();
        }
        return errors.size();
    }

    @Override
    public synchronized OptionalDouble windowRemainingSeconds() {
        if (windowEnd == null) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Duration.between(clock.instant(), windowEnd).toMillis() / 1000.0);
    }
}
