package dev.lockstep.criteria;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads every {@link SignalSource} once per interval on its own daemon thread, independent of the step being run,
 * feeds the evaluator and publishes the latest {@link Verdict}. The engine polls {@link #currentVerdict()} before
 * each batch and step, waits on {@link #awaitChange} while paused, and hears breaches and clears through the
 * {@link Listener}. Sources are read in the order given; when two supply the same signal, the later one wins.
 *
 * <p>Fail closed: a source that throws makes its signals unknown, and if no sample has completed for {@code
 * staleAfter} (a monitoring query stuck on a half-open connection), {@link #currentVerdict()} evaluates every
 * signal as unknown rather than hand out an old verdict. The loop never ends by an exception, only by {@link
 * #close()}.
 */
public final class Sampler implements AutoCloseable {

    /**
     * @param interval time between the starts of two samples
     * @param staleAfter how long without a completed sample before every signal counts as unknown
     */
    public record Settings(Duration interval, Duration staleAfter, Clock clock) {
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
        public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(10);

        public Settings {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(staleAfter, "staleAfter");
            Objects.requireNonNull(clock, "clock");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the sampling interval must be positive");
            }
            if (staleAfter.compareTo(interval) <= 0) {
                throw new IllegalArgumentException("staleAfter must be longer than the sampling interval");
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_INTERVAL, DEFAULT_STALE_AFTER, Clock.systemUTC());
        }

        public Settings withInterval(Duration newInterval) {
            return new Settings(newInterval, staleAfter, clock);
        }

        public Settings withStaleAfter(Duration newStaleAfter) {
            return new Settings(interval, newStaleAfter, clock);
        }
    }

    /**
     * Hears the sampler's outcomes, one call at a time, on the sampler thread (or on the engine's thread when it
     * found the verdict stale or released held criteria). Keep it quick: the next sample waits for it. An exception
     * it throws is dropped.
     */
    public interface Listener {
        /** A criterion breached or cleared; {@code verdict} is the one the transition produced. */
        void onTransition(CriterionEvent event, Verdict verdict);

        /** Every published verdict, for live displays. */
        default void onVerdict(Verdict verdict) {}
    }

    private final StopCriteriaEvaluator evaluator;
    private final List<SignalSource> sources;
    private final Listener listener;
    private final Settings settings;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    /** Serialises evaluation and listener calls, so listeners hear transitions in the order they happened. */
    private final ReentrantLock evaluation = new ReentrantLock();
    /** Monitor for {@link #current}: notified on every publication and on close. */
    private final Object published = new Object();

    private volatile Verdict current;
    private volatile long lastSampleNanos;
    private volatile boolean closed;

    public Sampler(StopCriteriaEvaluator evaluator, List<SignalSource> sources, Listener listener, Settings settings) {
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        this.sources = List.copyOf(sources);
        this.listener = Objects.requireNonNull(listener, "listener");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.thread = new Thread(this::loop, "lockstep-sampler");
        this.thread.setDaemon(true);
    }

    /**
     * Takes the first sample on the calling thread, so that {@link #currentVerdict()} reflects real readings from
     * the start, then starts the sampling thread.
     */
    public void start() {
        if (current != null || closed) {
            throw new IllegalStateException("the sampler was already started");
        }
        sampleQuietly();
        thread.start();
    }

    /** The latest verdict; if the sampler has not completed a sample for {@code staleAfter}, every signal unknown. */
    public Verdict currentVerdict() {
        Verdict verdict = current;
        if (verdict == null) {
            throw new IllegalStateException("the sampler has not been started");
        }
        long silentNanos = System.nanoTime() - lastSampleNanos;
        if (!closed && silentNanos > settings.staleAfter().toNanos()) {
            String reason = "no signal sample for "
                    + Duration.ofNanos(silentNanos).toSeconds() + "s: a monitoring query does not return";
            Map<String, SignalReading> unknown = new LinkedHashMap<>();
            for (Criterion criterion : evaluator.criteria()) {
                unknown.put(criterion.signal().key(), SignalReading.unknown(reason));
            }
            return evaluateAndPublish(settings.clock().instant(), unknown);
        }
        return verdict;
    }

    /**
     * Waits until the verdict differs from {@code seen} in what the engine must do (see {@link
     * Verdict#sameOutcome}), the timeout passes or the sampler closes.
     *
     * @return the verdict current on return
     */
    public Verdict awaitChange(Verdict seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Verdict verdict = currentVerdict();
            long remaining = deadline - System.nanoTime();
            if (!verdict.sameOutcome(seen) || closed || remaining <= 0) {
                return verdict;
            }
            // Wake at least once per interval so that a stalled sampler is noticed while waiting.
            long waitNanos = Math.min(remaining, settings.interval().toNanos());
            synchronized (published) {
                if (current == verdict && !closed) {
                    TimeUnit.NANOSECONDS.timedWait(published, waitNanos);
                }
            }
        }
    }

    /** The operator resumes: held criteria are released (see {@link StopCriteriaEvaluator#release()}). */
    public List<String> release() {
        evaluation.lock();
        try {
            List<String> released = evaluator.release();
            if (!released.isEmpty()) {
                Verdict verdict = evaluator.lastVerdict().orElseThrow();
                publish(verdict);
                tellQuietly(() -> listener.onVerdict(verdict));
            }
            return released;
        } finally {
            evaluation.unlock();
        }
    }

    /** Stops sampling; waits for an in-flight sample no longer than {@code staleAfter}. */
    @Override
    public void close() {
        closed = true;
        closing.countDown();
        synchronized (published) {
            published.notifyAll();
        }
        if (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(settings.staleAfter().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        try {
            long nextStart = System.nanoTime() + settings.interval().toNanos();
            while (!closed) {
                long remaining = nextStart - System.nanoTime();
                if (remaining > 0 && closing.await(remaining, TimeUnit.NANOSECONDS)) {
                    return;
                }
                nextStart = System.nanoTime() + settings.interval().toNanos();
                sampleQuietly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sampleQuietly() {
        try {
            Map<String, SignalReading> readings = readAll();
            lastSampleNanos = System.nanoTime();
            evaluateAndPublish(settings.clock().instant(), readings);
        } catch (RuntimeException unexpected) {
            // Sources and listeners are guarded; this is the evaluator or the clock failing. The loop goes on, and
            // if it keeps failing the verdict turns stale and every signal counts as unknown.
        }
    }

    private Map<String, SignalReading> readAll() {
        Map<String, SignalReading> readings = new LinkedHashMap<>();
        for (SignalSource source : sources) {
            try {
                Map<String, SignalReading> sampled = source.sample();
                readings.putAll(sampled);
                for (String signal : source.signals()) {
                    if (!sampled.containsKey(signal)) {
                        readings.put(signal, SignalReading.unknown("the source reported no reading"));
                    }
                }
            } catch (RuntimeException failure) {
                for (String signal : source.signals()) {
                    readings.put(signal, SignalReading.unknown("reading the signal failed: " + failure));
                }
            }
        }
        return readings;
    }

    private Verdict evaluateAndPublish(Instant at, Map<String, SignalReading> readings) {
        evaluation.lock();
        try {
            Evaluation outcome = evaluator.evaluate(at, readings);
            // Transitions reach the listeners (the timeline) before the verdict becomes visible to the engine:
            // a breach is on record before anything acts on it, and a waiter never sees a verdict whose event
            // has not been told yet.
            for (CriterionEvent event : outcome.events()) {
                tellQuietly(() -> listener.onTransition(event, outcome.verdict()));
            }
            publish(outcome.verdict());
            tellQuietly(() -> listener.onVerdict(outcome.verdict()));
            return outcome.verdict();
        } finally {
            evaluation.unlock();
        }
    }

    private void publish(Verdict verdict) {
        synchronized (published) {
            current = verdict;
            published.notifyAll();
        }
    }

    private static void tellQuietly(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException listenerFailure) {
            // A listener's failure must not stop the sampling that guards the run.
        }
    }
}
