package dev.lockstep;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only crash points: every place where a run makes something durable (a forced timeline line, a
 * database commit) passes here, so that a test can halt the process right after the Nth of them and prove
 * that a run resumes from that instant. Off unless a test starts the JVM with
 * {@code -Dlockstep.test.halt-after=N} (halt with exit code 137, as SIGKILL does, after the Nth point) or
 * {@code -Dlockstep.test.trace-durable=true} (print each point to stderr, to learn how many a run has).
 * Both flags are static finals read once: with neither set the JIT removes the calls, so production pays
 * nothing.
 */
public final class CrashPoints {

    private static final long HALT_AFTER = Long.getLong("lockstep.test.halt-after", 0);
    private static final boolean TRACE = Boolean.getBoolean("lockstep.test.trace-durable");
    private static final boolean ENABLED = HALT_AFTER > 0 || TRACE;
    private static final AtomicLong PASSED = new AtomicLong();

    private CrashPoints() {}

    /** Something just became durable: a forced write returned, a commit was acknowledged. */
    public static void durable(String what) {
        if (!ENABLED) {
            return;
        }
        long n = PASSED.incrementAndGet();
        PrintStream err = System.err;
        if (TRACE) {
            err.println("durable " + n + ": " + what);
            err.flush();
        }
        if (n == HALT_AFTER) {
            err.println("halting after durable point " + n + ": " + what);
            err.flush();
            Runtime.getRuntime().halt(137);
        }
    }

    /** A statement just ran: durable when the session was in auto-commit (the statement was its transaction). */
    public static void statementRan(Connection connection, String what) {
        if (!ENABLED) {
            return;
        }
        try {
            if (connection.getAutoCommit()) {
                durable(what);
            }
        } catch (SQLException e) {
            // a session that cannot say its mode committed nothing we could halt after
        }
    }
}
