package dev.lockstep.probe;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls with a deadline: waits for a state, never sleeps as an assertion. */
final class Poll {

    private Poll() {}

    static <T> T until(Duration deadline, Supplier<T> read, Predicate<T> done, String what) {
        long end = System.nanoTime() + deadline.toNanos();
        T last = read.get();
        while (!done.test(last)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + deadline.toSeconds() + " s: " + what + "; last: " + last);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
            last = read.get();
        }
        return last;
    }
}
