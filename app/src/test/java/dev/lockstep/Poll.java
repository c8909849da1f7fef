package dev.lockstep;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * The tests' one poller: reads until a state is reached or a deadline passes, then fails naming what it waited for
 * and the last thing it read. The deadline is a bound for a slow machine, never a measurement, and the poller never
 * sleeps as an assertion.
 */
public final class Poll {

    private static final Duration INTERVAL = Duration.ofMillis(25);

    private Poll() {}

    /** A read that may throw (a query, a file). */
    @FunctionalInterface
    public interface Read<T> {
        T get() throws Exception;
    }

    /** An assertion to retry until it passes. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    /** Reads until {@code done} holds for the value read, and returns that value. */
    public static <T> T until(Duration deadline, Read<T> read, Predicate<T> done, String what) {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            T last;
            try {
                last = read.get();
            } catch (Exception e) {
                throw new AssertionError("reading failed while waiting for " + what + ": " + e.getMessage(), e);
            }
            if (done.test(last)) {
                return last;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + deadline.toSeconds() + " s: " + what + "; last: " + last);
            }
            pause(what);
        }
    }

    /** Runs {@code check} until it passes (no assertion error, no exception); fails with its last failure. */
    public static void untilPasses(Duration deadline, Check check) {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError | Exception e) {
                if (System.nanoTime() > end) {
                    throw new AssertionError(
                            "still failing after " + deadline.toSeconds() + " s: " + e.getMessage(), e);
                }
            }
            pause("a check to pass");
        }
    }

    private static void pause(String what) {
        try {
            Thread.sleep(INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
    }
}
