package dev.lockstep.criteria;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Signal sources that read over one monitoring connection, reopened when it is lost. While it is down every
 * signal reads unknown with the reason (so the criteria fail closed); a reconnect is tried at most once per
 * {@code retryEvery}, so a dead server does not turn every sample into a connect timeout.
 *
 * <p>Confined to the sampler thread.
 */
public final class ReconnectingSignals implements SignalSource, AutoCloseable {

    /** Opens a monitoring session (bounded connect, its own timeouts). */
    @FunctionalInterface
    public interface Opener {
        Connection open() throws SQLException;
    }

    private static final Duration VALID_CHECK = Duration.ofSeconds(2);

    private final Opener opener;
    private final Function<Connection, List<SignalSource>> build;
    private final Set<String> keys;
    private final Duration retryEvery;
    private Connection connection;
    private List<SignalSource> sources = List.of();
    private long lastAttemptNanos;
    private String downReason = "the monitoring session is not open yet";

    /**
     * @param build the sources reading over a freshly opened connection
     * @param keys every signal those sources supply (known without a connection)
     */
    public ReconnectingSignals(
            Opener opener, Function<Connection, List<SignalSource>> build, Set<String> keys, Duration retryEvery) {
        this.opener = opener;
        this.build = build;
        this.keys = Set.copyOf(keys);
        this.retryEvery = retryEvery;
    }

    @Override
    public Set<String> signals() {
        return keys;
    }

    /** The monitoring connection when it is up, else null; for sources that share it. */
    public Connection connection() {
        return connection;
    }

    @Override
    public Map<String, SignalReading> sample() {
        if (!usable()) {
            return allUnknown("monitoring session lost (" + downReason + "); reconnecting");
        }
        Map<String, SignalReading> readings = new LinkedHashMap<>();
        for (SignalSource source : sources) {
            readings.putAll(source.sample());
        }
        if (!stillValid()) {
            // the failures the sources saw were the session dying, not the signals
            return allUnknown("monitoring session lost (" + downReason + "); reconnecting");
        }
        return readings;
    }

    private boolean usable() {
        if (connection != null) {
            return true;
        }
        long now = System.nanoTime();
        if (lastAttemptNanos != 0 && now - lastAttemptNanos < retryEvery.toNanos()) {
            return false;
        }
        lastAttemptNanos = now;
        try {
            connection = opener.open();
            sources = build.apply(connection);
            return true;
        } catch (SQLException | RuntimeException e) {
            downReason = e.getMessage();
            closeQuietly();
            return false;
        }
    }

    private boolean stillValid() {
        try {
            if (connection.isValid((int) VALID_CHECK.toSeconds())) {
                return true;
            }
            downReason = "the session does not answer";
        } catch (SQLException e) {
            downReason = e.getMessage();
        }
        closeQuietly();
        lastAttemptNanos = 0;
        return false;
    }

    private Map<String, SignalReading> allUnknown(String reason) {
        Map<String, SignalReading> readings = new LinkedHashMap<>();
        for (String key : keys) {
            readings.put(key, SignalReading.unknown(reason));
        }
        return readings;
    }

    private void closeQuietly() {
        Connection closing = connection;
        connection = null;
        sources = List.of();
        if (closing != null) {
            try {
                closing.close();
            } catch (SQLException e) {
                // a broken session may fail to close; it is gone either way
            }
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
