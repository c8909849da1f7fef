package dev.lockstep.criteria;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Lock waits, blocked sessions, sessions queued behind Lockstep and the oldest transaction, read directly from
 * {@code pg_stat_activity} of the target database, so the criteria have real signals without the probe.
 *
 * <p>Kept cheap: one query over {@code pg_stat_activity}, and only when some session waits for a lock a second
 * one that calls {@code pg_blocking_pids} for those sessions alone (it takes the lock manager's shared state) and
 * reads their wait start from {@code pg_locks}. The monitoring session itself is never counted. Lockstep's own
 * sessions are the ones doing a run's work ({@code application_name} lockstep-control, not the monitor or a drill)
 * or whose pid the engine names.
 *
 * <p>Confined to the sampler thread, like the connection it uses.
 */
public final class ActivitySignalSource implements SignalSource {

    private static final Set<String> SIGNALS = Set.of(
            Signals.LOCK_WAIT_SECONDS, Signals.BLOCKED_SESSIONS, Signals.BLOCKED_BY_US, Signals.OLDEST_XACT_SECONDS);

    private static final String SESSIONS_SQL =
            """
            select coalesce(max(extract(epoch from clock_timestamp() - xact_start))
                                filter (where backend_type = 'client backend'), 0) as oldest_xact_seconds,
                   coalesce(array_agg(pid) filter (where application_name = 'lockstep-control' or pid = any(?)),
                            '{}') as our_pids,
                   count(*) filter (where wait_event_type = 'Lock') as lock_waiters
            from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid()
            """;

    /** {@code pg_locks.waitstart} exists from PostgreSQL 14; before it the statement start is the best bound. */
    private static final String WAITERS_SQL =
            """
            select a.pid, pg_blocking_pids(a.pid) as blockers,
                   extract(epoch from clock_timestamp() - %s) as wait_seconds
            from pg_stat_activity a
            %s
            where a.datname = current_database() and a.pid <> pg_backend_pid() and a.wait_event_type = 'Lock'
            """;

    private static final String WAIT_START_14 = "coalesce(w.waitstart, clock_timestamp())";
    private static final String WAIT_START_JOIN_14 =
            "left join (select pid, min(waitstart) as waitstart from pg_locks where not granted group by pid) w"
                    + " on w.pid = a.pid";
    private static final String WAIT_START_BEFORE_14 = "coalesce(a.query_start, clock_timestamp())";

    private final MonitoringQueries queries;
    private final Supplier<Set<Integer>> ownBackendPids;
    private String waitersSql;

    /**
     * @param ownBackendPids the pids of Lockstep's own sessions (they change when the engine reconnects), in
     *     addition to those recognised by their application name
     */
    public ActivitySignalSource(Connection monitoring, Supplier<Set<Integer>> ownBackendPids) {
        this(
                monitoring,
                ownBackendPids,
                CustomSqlSignalSource.DEFAULT_STATEMENT_TIMEOUT,
                CustomSqlSignalSource.DEFAULT_LOCK_TIMEOUT);
    }

    public ActivitySignalSource(
            Connection monitoring,
            Supplier<Set<Integer>> ownBackendPids,
            Duration statementTimeout,
            Duration lockTimeout) {
        this.queries = new MonitoringQueries(monitoring, statementTimeout, lockTimeout);
        this.ownBackendPids = Objects.requireNonNull(ownBackendPids, "ownBackendPids");
    }

    @Override
    public Set<String> signals() {
        return SIGNALS;
    }

    @Override
    public Map<String, SignalReading> sample() {
        try {
            Set<Integer> ownPids = Set.copyOf(ownBackendPids.get());
            return queries.inReadOnlyTransaction(connection -> read(connection, ownPids));
        } catch (SQLException failure) {
            return allUnknown(queries.reasonFor(failure));
        } catch (RuntimeException failure) {
            return allUnknown("reading session activity failed: " + failure);
        }
    }

    private Map<String, SignalReading> read(Connection connection, Set<Integer> ownPids) throws SQLException {
        double oldestXactSeconds;
        Set<Integer> ours = new HashSet<>();
        long lockWaiters;
        try (PreparedStatement statement = connection.prepareStatement(SESSIONS_SQL)) {
            statement.setArray(1, connection.createArrayOf("int4", ownPids.toArray()));
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                oldestXactSeconds = result.getDouble("oldest_xact_seconds");
                ours.addAll(integers(result.getArray("our_pids")));
                lockWaiters = result.getLong("lock_waiters");
            }
        }
        Map<Integer, List<Integer>> blockersByWaiter = new HashMap<>();
        double longestWait = 0;
        if (lockWaiters > 0) {
            try (PreparedStatement statement = connection.prepareStatement(waitersSql(connection));
                    ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    blockersByWaiter.put(result.getInt("pid"), integers(result.getArray("blockers")));
                    longestWait = Math.max(longestWait, result.getDouble("wait_seconds"));
                }
            }
        }
        long blocked = blockersByWaiter.values().stream()
                .filter(blockers -> !blockers.isEmpty())
                .count();
        long blockedByUs = blockersByWaiter.keySet().stream()
                .filter(pid -> !ours.contains(pid) && queuedBehind(pid, ours, blockersByWaiter, new HashSet<>()))
                .count();
        return Map.of(
                Signals.LOCK_WAIT_SECONDS, SignalReading.of(longestWait),
                Signals.BLOCKED_SESSIONS, SignalReading.of(blocked),
                Signals.BLOCKED_BY_US, SignalReading.of(blockedByUs),
                Signals.OLDEST_XACT_SECONDS, SignalReading.of(oldestXactSeconds));
    }

    /**
     * Whether a waiting session is queued behind one of ours, directly or through other waiters: an application
     * query stuck behind a session that waits for our DDL suffers from the DDL just the same.
     */
    private static boolean queuedBehind(
            int pid, Set<Integer> ours, Map<Integer, List<Integer>> blockersByWaiter, Set<Integer> visited) {
        if (!visited.add(pid)) {
            return false;
        }
        for (int blocker : blockersByWaiter.getOrDefault(pid, List.of())) {
            if (ours.contains(blocker) || queuedBehind(blocker, ours, blockersByWaiter, visited)) {
                return true;
            }
        }
        return false;
    }

    private String waitersSql(Connection connection) throws SQLException {
        if (waitersSql == null) {
            boolean hasWaitStart = connection.getMetaData().getDatabaseMajorVersion() >= 14;
            waitersSql = hasWaitStart
                    ? WAITERS_SQL.formatted(WAIT_START_14, WAIT_START_JOIN_14)
                    : WAITERS_SQL.formatted(WAIT_START_BEFORE_14, "");
        }
        return waitersSql;
    }

    private static List<Integer> integers(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        Object[] values = (Object[]) array.getArray();
        return java.util.Arrays.stream(values)
                .map(value -> ((Number) value).intValue())
                .toList();
    }

    private static Map<String, SignalReading> allUnknown(String reason) {
        Map<String, SignalReading> readings = new HashMap<>();
        for (String signal : SIGNALS) {
            readings.put(signal, SignalReading.unknown(reason));
        }
        return Map.copyOf(readings);
    }
}
