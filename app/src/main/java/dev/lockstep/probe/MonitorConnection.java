package dev.lockstep.probe;

import dev.lockstep.LockstepException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The one monitoring connection to one server. When it cannot connect or loses the connection, it says
 * since when and why, and tries again after a backoff that doubles from 1 s to 15 s: a flapping server is
 * not hammered, a restarted one is back within 15 s. Not thread-safe: one prober thread owns it.
 */
final class MonitorConnection implements AutoCloseable {

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

    private final Supplier<Connection> opener;
    private final Clock clock;

    private Connection connection;
    private Instant unreachableSince;
    private String unreachableReason;
    private Instant nextAttempt = Instant.MIN;
    private Duration backoff = FIRST_BACKOFF;
    private boolean justOpened;

    /** @param opener opens a bounded, labelled session or throws {@link LockstepException} (one line) */
    MonitorConnection(Supplier<Connection> opener, Clock clock) {
        this.opener = opener;
        this.clock = clock;
    }

    /** The open connection, reconnecting when the backoff has passed; empty while unreachable. */
    Optional<Connection> connection() {
        justOpened = false;
        if (connection != null) {
            return Optional.of(connection);
        }
        Instant now = clock.instant();
        if (now.isBefore(nextAttempt)) {
            return Optional.empty();
        }
        try {
            connection = opener.get();
            unreachableSince = null;
            unreachableReason = null;
            backoff = FIRST_BACKOFF;
            justOpened = true;
            return Optional.of(connection);
        } catch (LockstepException e) {
            failed(now, e.getMessage());
            return Optional.empty();
        }
    }

    /** The connection if it is open now; never connects (a reconnect belongs to the next tick). */
    Optional<Connection> current() {
        return Optional.ofNullable(connection);
    }

    /** True right after {@link #connection()} opened a new session: identity and switches are re-read. */
    boolean justOpened() {
        return justOpened;
    }

    /** The connection broke under a query: close it and retry after the first backoff step. */
    void lost(String reason) {
        closeQuietly();
        Instant now = clock.instant();
        backoff = FIRST_BACKOFF;
        failed(now, "connection lost: " + reason);
    }

    private void failed(Instant now, String reason) {
        if (unreachableSince == null) {
            unreachableSince = now;
        }
        unreachableReason = reason;
        nextAttempt = now.plus(backoff);
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }

    Instant unreachableSince() {
        return unreachableSince;
    }

    String unreachableReason() {
        return unreachableReason;
    }

    Instant nextAttempt() {
        return nextAttempt;
    }

    private void closeQuietly() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is already broken; closing is best effort
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
