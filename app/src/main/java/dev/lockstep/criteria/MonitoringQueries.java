package dev.lockstep.criteria;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;

/**
 * Runs monitoring queries so that they can neither change anything nor wait long: each in its own read-only
 * transaction with a local statement and lock timeout, always rolled back. Monitoring must never queue behind
 * application traffic, hence the short lock timeout. The session is left in the autocommit mode it was found
 * in: it is shared with the probe, whose queries must not run inside a transaction left open.
 */
final class MonitoringQueries {

    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final Duration statementTimeout;
    private final Duration lockTimeout;

    MonitoringQueries(Duration statementTimeout, Duration lockTimeout) {
        this.statementTimeout = positive(statementTimeout, "statement timeout");
        this.lockTimeout = positive(lockTimeout, "lock timeout");
    }

    <T> T inReadOnlyTransaction(Connection connection, Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        if (autoCommit) {
            connection.setAutoCommit(false);
        }
        try {
            try (Statement settings = connection.createStatement()) {
                settings.execute("SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = "
                        + statementTimeout.toMillis() + "; SET LOCAL lock_timeout = " + lockTimeout.toMillis());
            }
            return work.run(connection);
        } finally {
            rollbackQuietly(connection);
            if (autoCommit) {
                restoreAutoCommitQuietly(connection);
            }
        }
    }

    /** Why a monitoring query failed, in words an operator reads in a breach record. */
    String reasonFor(Connection connection, SQLException failure) {
        String state = failure.getSQLState() == null ? "" : failure.getSQLState();
        if (state.equals("57014")) {
            return "query timed out after " + millis(statementTimeout);
        }
        if (state.equals("55P03")) {
            return "query waited longer than " + millis(lockTimeout) + " for a lock";
        }
        String message = firstLine(failure.getMessage());
        if (state.startsWith("08") || isClosed(connection)) {
            return "monitoring connection lost: " + message;
        }
        return "query failed: " + message + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            // The connection is gone; the next query fails too and reports that as its reason.
        }
    }

    private static void restoreAutoCommitQuietly(Connection connection) {
        try {
            connection.setAutoCommit(true);
        } catch (SQLException restoreFailure) {
            // The connection is gone; whoever uses it next finds out and reconnects.
        }
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    private static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "no message";
        }
        String line = message.lines().findFirst().orElse(message).strip();
        return line.startsWith("ERROR: ") ? line.substring("ERROR: ".length()) : line;
    }

    private static String millis(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    private static Duration positive(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero() || duration.toMillis() == 0) {
            throw new IllegalArgumentException("the monitoring " + what + " must be at least 1 ms");
        }
        return duration;
    }
}
