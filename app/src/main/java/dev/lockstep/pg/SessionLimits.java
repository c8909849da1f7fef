package dev.lockstep.pg;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds every Lockstep session runs under, so that it never makes things worse: a label in
 * pg_stat_activity, a bounded connect, a socket timeout (statement_timeout does nothing for a half-open
 * connection), and server-side statement, lock and idle-in-transaction timeouts. A zero server-side
 * timeout means "off", as in PostgreSQL; the connect timeout is always bounded.
 */
public record SessionLimits(
        String applicationName,
        Duration connectTimeout,
        Duration socketTimeout,
        Duration statementTimeout,
        Duration lockTimeout,
        Duration idleInTransactionTimeout) {

    public SessionLimits {
        Objects.requireNonNull(applicationName, "applicationName");
        requirePositive("connectTimeout", connectTimeout);
        requireNotNegative("socketTimeout", socketTimeout);
        requireNotNegative("statementTimeout", statementTimeout);
        requireNotNegative("lockTimeout", lockTimeout);
        requireNotNegative("idleInTransactionTimeout", idleInTransactionTimeout);
    }

    /** The monitoring session: short everything, it must never queue behind application locks. */
    public static SessionLimits monitor() {
        return new SessionLimits(
                "lockstep-monitor",
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofSeconds(2),
                Duration.ofMillis(100),
                Duration.ofSeconds(10));
    }

    /**
     * The session that runs steps. Steps with their own lock_timeout or longer statements set them
     * locally (and widen the network timeout with {@code Connection.setNetworkTimeout}).
     */
    public static SessionLimits control() {
        return new SessionLimits(
                "lockstep-control",
                Duration.ofSeconds(5),
                Duration.ofSeconds(60),
                Duration.ofSeconds(30),
                Duration.ofSeconds(2),
                Duration.ofSeconds(60));
    }

    public SessionLimits withApplicationName(String name) {
        return new SessionLimits(
                name, connectTimeout, socketTimeout, statementTimeout, lockTimeout, idleInTransactionTimeout);
    }

    public SessionLimits withConnectTimeout(Duration timeout) {
        return new SessionLimits(
                applicationName, timeout, socketTimeout, statementTimeout, lockTimeout, idleInTransactionTimeout);
    }

    public SessionLimits withSocketTimeout(Duration timeout) {
        return new SessionLimits(
                applicationName, connectTimeout, timeout, statementTimeout, lockTimeout, idleInTransactionTimeout);
    }

    public SessionLimits withStatementTimeout(Duration timeout) {
        return new SessionLimits(
                applicationName, connectTimeout, socketTimeout, timeout, lockTimeout, idleInTransactionTimeout);
    }

    public SessionLimits withLockTimeout(Duration timeout) {
        return new SessionLimits(
                applicationName, connectTimeout, socketTimeout, statementTimeout, timeout, idleInTransactionTimeout);
    }

    public SessionLimits withIdleInTransactionTimeout(Duration timeout) {
        return new SessionLimits(
                applicationName, connectTimeout, socketTimeout, statementTimeout, lockTimeout, timeout);
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    private static void requireNotNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
    }
}
