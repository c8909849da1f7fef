package dev.lockstep.sandbox;

import java.sql.SQLException;
import java.time.Duration;

/** Polls a condition until it holds or a deadline passes. */
final class Polling {
    private static final Duration INTERVAL = Duration.ofMillis(50);

    interface Condition {
        boolean holds() throws SQLException;
    }

    private Polling() {}

    /** Null when the condition held in time, otherwise what went wrong last. */
    static String until(Duration timeout, Condition condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "timed out after " + timeout.toSeconds() + "s";
        while (true) {
            try {
                if (condition.holds()) {
                    return null;
                }
            } catch (SQLException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                return last;
            }
            try {
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
    }
}
