package dev.lockstep.criteria;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Replication lag per standby and WAL held by slots, read honestly:
 *
 * <ul>
 *   <li>{@code replication_lag_bytes}: the primary's current WAL position minus the standby's replay
 *       position (read on the standby when one is given with {@code --standby}, else from the primary's
 *       {@code pg_stat_replication}); the worst standby counts.
 *   <li>{@code replication_lag_seconds}: 0 when the standby has replayed everything the primary has written
 *       (an idle, caught-up standby reads 0, not the age of its last replayed transaction); otherwise the
 *       time since the primary was first seen past the standby's replay position. The primary's position is
 *       sampled every interval, so this is a lower bound, within one interval, of how old the oldest
 *       unreplayed WAL is; a paused replay with pending WAL grows by the wall clock.
 *   <li>A standby that cannot be reached, is not in recovery, or whose WAL receiver is not streaming
 *       reads unknown (never 0), and so does no standby at all: the criteria fail closed.
 *   <li>{@code slot_retained_bytes}: the most WAL any replication slot holds back on the primary; 0
 *       without slots.
 * </ul>
 *
 * <p>Confined to the sampler thread.
 */
public final class ReplicationSignalSource implements SignalSource, AutoCloseable {

    public static final Set<String> SIGNALS =
            Set.of(Signals.REPLICATION_LAG_SECONDS, Signals.REPLICATION_LAG_BYTES, Signals.SLOT_RETAINED_BYTES);

    private static final int HISTORY_LIMIT = 4096;
    private static final Duration RECONNECT_EVERY = Duration.ofSeconds(5);

    /** When the primary was first seen at a WAL position. */
    private record Seen(long nanos, long lsn) {}

    private final Supplier<Connection> primary;
    private final List<Standby> standbys;
    private final Deque<Seen> history = new ArrayDeque<>();

    /**
     * @param primary the primary's monitoring connection, or null while it is down
     * @param standbys openers of monitoring sessions on the standbys; empty: read the standbys streaming
     *     from the primary
     */
    public ReplicationSignalSource(Supplier<Connection> primary, List<ReconnectingSignals.Opener> standbys) {
        this.primary = primary;
        this.standbys = standbys.stream().map(Standby::new).toList();
    }

    @Override
    public Set<String> signals() {
        return SIGNALS;
    }

    @Override
    public Map<String, SignalReading> sample() {
        Map<String, SignalReading> readings = new LinkedHashMap<>();
        Connection connection = primary.get();
        if (connection == null) {
            String reason = "the primary's monitoring session is down";
            SIGNALS.forEach(key -> readings.put(key, SignalReading.unknown(reason)));
            return readings;
        }
        long current;
        try {
            current = single(connection, "select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
            readings.put(
                    Signals.SLOT_RETAINED_BYTES,
                    SignalReading.of(single(
                            connection,
                            "select coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)), 0)::bigint"
                                    + " from pg_replication_slots where restart_lsn is not null")));
        } catch (SQLException e) {
            String reason = "reading the primary's WAL position failed: " + e.getMessage();
            SIGNALS.forEach(key -> readings.put(key, SignalReading.unknown(reason)));
            return readings;
        }
        long now = System.nanoTime();
        remember(now, current);
        List<Long> replayed = new ArrayList<>();
        String unknown = standbys.isEmpty() ? streamingFromPrimary(connection, replayed) : readStandbys(replayed);
        if (unknown != null) {
            readings.put(Signals.REPLICATION_LAG_BYTES, SignalReading.unknown(unknown));
            readings.put(Signals.REPLICATION_LAG_SECONDS, SignalReading.unknown(unknown));
            return readings;
        }
        long worst = replayed.stream().mapToLong(Long::longValue).min().orElseThrow();
        readings.put(Signals.REPLICATION_LAG_BYTES, SignalReading.of(Math.max(0, current - worst)));
        readings.put(Signals.REPLICATION_LAG_SECONDS, SignalReading.of(lagSeconds(now, worst)));
        return readings;
    }

    private void remember(long now, long lsn) {
        Seen last = history.peekLast();
        if (last == null || lsn > last.lsn()) {
            history.addLast(new Seen(now, lsn));
            while (history.size() > HISTORY_LIMIT) {
                history.removeFirst();
            }
        }
    }

    /** Time since the primary was first seen beyond {@code replayed}; 0 when nothing is pending. */
    private double lagSeconds(long now, long replayed) {
        for (Seen seen : history) {
            if (seen.lsn() > replayed) {
                return (now - seen.nanos()) / 1e9;
            }
        }
        return 0;
    }

    /** Fills the replay positions of the standbys streaming from the primary; returns why not, or null. */
    private static String streamingFromPrimary(Connection connection, List<Long> replayed) {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "select pg_wal_lsn_diff(replay_lsn, '0/0')::bigint, state from pg_stat_replication")) {
            while (rows.next()) {
                long position = rows.getLong(1);
                if (rows.wasNull() || !"streaming".equals(rows.getString(2))) {
                    return "a standby is connected but not streaming (state " + rows.getString(2) + ")";
                }
                replayed.add(position);
            }
        } catch (SQLException e) {
            return "reading pg_stat_replication failed: " + e.getMessage();
        }
        return replayed.isEmpty() ? "no standby streams from the primary and none was given with --standby" : null;
    }

    private String readStandbys(List<Long> replayed) {
        for (Standby standby : standbys) {
            String unknown = standby.read(replayed);
            if (unknown != null) {
                return unknown;
            }
        }
        return null;
    }

    private static long single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Override
    public void close() {
        standbys.forEach(Standby::close);
    }

    /** One standby's monitoring session, reopened (at most every few seconds) when lost. */
    private static final class Standby {
        private final ReconnectingSignals.Opener opener;
        private Connection connection;
        private long lastAttemptNanos;

        Standby(ReconnectingSignals.Opener opener) {
            this.opener = opener;
        }

        String read(List<Long> replayed) {
            if (connection == null) {
                long now = System.nanoTime();
                if (lastAttemptNanos != 0 && now - lastAttemptNanos < RECONNECT_EVERY.toNanos()) {
                    return "the standby is unreachable; reconnecting";
                }
                lastAttemptNanos = now;
                try {
                    connection = opener.open();
                } catch (SQLException | RuntimeException e) {
                    return "the standby is unreachable: " + e.getMessage();
                }
            }
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("select pg_is_in_recovery(),"
                            + " pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint,"
                            + " (select status from pg_stat_wal_receiver)")) {
                rows.next();
                if (!rows.getBoolean(1)) {
                    return "the --standby server is not in recovery (not a standby)";
                }
                long position = rows.getLong(2);
                String receiver = rows.getString(3);
                if (!"streaming".equals(receiver)) {
                    return "the standby's WAL receiver is not streaming (" + (receiver == null ? "none" : receiver)
                            + ")";
                }
                replayed.add(position);
                return null;
            } catch (SQLException e) {
                close();
                return "reading the standby failed: " + e.getMessage();
            }
        }

        void close() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    // a broken session may fail to close; it is gone either way
                }
                connection = null;
            }
        }
    }
}
