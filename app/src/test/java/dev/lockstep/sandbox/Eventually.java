package dev.lockstep.sandbox;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;

/** Polls until an assertion passes or a deadline passes; the deadline is a bound, not a measurement. */
public final class Eventually {
    private Eventually() {}

    public interface Check {
        void run() throws Exception;
    }

    public static void within(Duration timeout, Check check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError | Exception e) {
                if (System.nanoTime() > deadline) {
                    fail("still failing after " + timeout.toSeconds() + "s: " + e.getMessage(), e);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
