package dev.lockstep.probe;

import dev.lockstep.LockstepException;
import dev.lockstep.pg.ServerIdentity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads one server's parts over its monitoring connection, one tick at a time. A part that fails for lack of
 * privilege or of the feature is switched off for the life of the connection, with the reason; a timed-out
 * part is reported for that tick only.
 */
final class ServerProbe implements AutoCloseable {

    static final String RECOVERY = "recovery";
    static final String LOCKS = "locks";
    static final String ACTIVITY = "activity";
    static final String PREPARED = "prepared_transactions";
    static final String REPLICATION = "replication";
    static final String SLOTS = "replication_slots";
    static final String CREATE_INDEX = "progress_create_index";
    static final String VACUUM = "progress_vacuum";
    static final String CLUSTER = "progress_cluster";
    static final String COPY = "progress_copy";
    static final String LEDGERS = "migration_ledgers";

    static final List<String> PARTS = List.of(
            RECOVERY, LOCKS, ACTIVITY, PREPARED, REPLICATION, SLOTS, CREATE_INDEX, VACUUM, CLUSTER, COPY, LEDGERS);

    /** How often the ledgers' tables are looked up again (a Flyway run may create its history table). */
    private static final Duration LEDGER_REFIND = Duration.ofSeconds(30);

    /** Missing privilege (42501), function (42883), relation (42P01), column (42703), feature (0A000). */
    private static final Set<String> SWITCH_OFF = Set.of("42501", "42883", "42P01", "42703", "0A000");

    private static final String QUERY_CANCELED = "57014";

    private final String label;
    private final String target;
    private final MonitorConnection monitor;
    private final ProbeOptions options;
    private final Clock clock;

    private ServerIdentity identity;
    private PgVersionQueries queries;
    private final Map<String, String> switchedOff = new HashMap<>();
    private List<MigrationLedgers.Found> ledgerTables;
    private Instant ledgerTablesFoundAt;

    ServerProbe(String label, String target, MonitorConnection monitor, ProbeOptions options) {
        this.label = label;
        this.target = target;
        this.monitor = monitor;
        this.options = options;
        this.clock = options.clock();
    }

    String label() {
        return label;
    }

    Optional<ServerIdentity> identity() {
        return Optional.ofNullable(identity);
    }

    /**
     * Runs {@code work} over this server's monitoring session if it is open; empty while the server is
     * unreachable. A session that breaks under {@code work} is noticed, and reopened, by the next tick.
     */
    <T> Optional<T> withSession(Function<Connection, T> work) {
        return monitor.current().map(work);
    }

    ServerSnapshot probe() {
        Instant takenAt = clock.instant();
        Optional<Connection> connection = monitor.connection();
        if (connection.isPresent() && monitor.justOpened()) {
            connection = identify(connection.get());
        }
        if (connection.isEmpty()) {
            return unreachable(takenAt, skippedParts());
        }
        Tick tick = new Tick(connection.get());
        Recovery recovery = tick.run(RECOVERY, this::recovery);
        Locks locks = tick.run(LOCKS, this::locks);
        Activity activity = tick.run(ACTIVITY, this::activity);
        List<PreparedTransaction> prepared = tick.run(PREPARED, this::prepared);
        List<ReplicationConnection> replication = tick.run(REPLICATION, this::replication);
        List<ReplicationSlot> slots = tick.run(SLOTS, this::slots);
        List<Progress.CreateIndexProgress> createIndex = tick.run(CREATE_INDEX, this::createIndex);
        List<Progress.VacuumProgress> vacuum = tick.run(VACUUM, this::vacuum);
        List<Progress.ClusterProgress> cluster = tick.run(CLUSTER, this::cluster);
        List<Progress.CopyProgress> copy = tick.run(COPY, this::copy);
        List<MigrationLedger> ledgers = tick.run(LEDGERS, this::ledgers);
        if (tick.lostReason != null) {
            monitor.lost(tick.lostReason);
            return unreachable(takenAt, tick.parts);
        }
        if (activity != null) {
            activity = new Activity(activity.summary(), activity.longTransactions(), prepared);
        }
        return new ServerSnapshot(
                label,
                target,
                takenAt,
                true,
                null,
                null,
                identity,
                tick.serverTime,
                tick.parts,
                locks,
                activity,
                recovery,
                replication,
                slots,
                new Progress(createIndex, vacuum, cluster, copy),
                ledgers);
    }

    private Optional<Connection> identify(Connection connection) {
        try {
            identity = ServerIdentity.read(connection);
        } catch (LockstepException e) {
            monitor.lost(e.getMessage());
            return Optional.empty();
        }
        queries = new PgVersionQueries(identity.versionNum());
        switchedOff.clear();
        ledgerTables = null;
        queries.copyProgressMissing().ifPresent(reason -> switchedOff.put(COPY, reason));
        return Optional.of(connection);
    }

    private ServerSnapshot unreachable(Instant takenAt, Map<String, PartStatus> parts) {
        return new ServerSnapshot(
                label,
                target,
                takenAt,
                false,
                monitor.unreachableSince(),
                monitor.unreachableReason(),
                identity,
                null,
                parts,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    private static Map<String, PartStatus> skippedParts() {
        Map<String, PartStatus> parts = new LinkedHashMap<>();
        PARTS.forEach(part -> parts.put(part, new PartStatus(PartStatus.State.SKIPPED, 0, "server unreachable")));
        return parts;
    }

    @FunctionalInterface
    private interface PartReader<T> {
        T read(Connection connection, Tick tick) throws SQLException;
    }

    /** One tick's bookkeeping: part statuses, the server clock, and whether the connection broke. */
    private final class Tick {
        private final Connection connection;
        private final Map<String, PartStatus> parts = new LinkedHashMap<>();
        private Instant serverTime;
        private String lostReason;

        Tick(Connection connection) {
            this.connection = connection;
        }

        <T> T run(String part, PartReader<T> reader) {
            if (lostReason != null) {
                parts.put(part, new PartStatus(PartStatus.State.SKIPPED, 0, "connection lost"));
                return null;
            }
            String off = switchedOff.get(part);
            if (off != null) {
                parts.put(part, new PartStatus(PartStatus.State.OFF, 0, off));
                return null;
            }
            long start = System.nanoTime();
            try {
                T value = reader.read(connection, this);
                parts.put(part, PartStatus.ok(millisSince(start)));
                return value;
            } catch (SQLException e) {
                parts.put(part, failure(part, e, millisSince(start)));
                return null;
            }
        }

        private PartStatus failure(String part, SQLException e, double durationMs) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String reason = firstLine(e.getMessage()) + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
            if (SWITCH_OFF.contains(state)) {
                switchedOff.put(part, reason);
                return new PartStatus(PartStatus.State.OFF, durationMs, reason);
            }
            if (QUERY_CANCELED.equals(state)) {
                return new PartStatus(PartStatus.State.TIMED_OUT, durationMs, reason);
            }
            if (connectionBroken(state)) {
                lostReason = reason;
            }
            return new PartStatus(PartStatus.State.FAILED, durationMs, reason);
        }

        private boolean connectionBroken(String state) {
            if (state.startsWith("08") || state.startsWith("57P")) {
                return true;
            }
            try {
                return connection.isClosed();
            } catch (SQLException e) {
                return true;
            }
        }
    }

    private static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000.0;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private Recovery recovery(Connection connection, Tick tick) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(queries.recovery());
                ResultSet row = statement.executeQuery()) {
            row.next();
            tick.serverTime = Rows.instant(row, "server_time");
            return new Recovery(
                    row.getBoolean("in_recovery"),
                    row.getString("current_lsn"),
                    row.getString("receive_lsn"),
                    row.getString("replay_lsn"),
                    row.getString("pause_state"),
                    Rows.instant(row, "last_replay_time"),
                    Rows.decimal(row, "since_last_replay_seconds"),
                    row.getString("receiver_status"),
                    Rows.instant(row, "last_msg_receipt_time"),
                    Rows.decimal(row, "since_last_message_seconds"),
                    row.getString("sender_host"),
                    Rows.integer(row, "sender_port"),
                    row.getString("receiver_slot_name"),
                    Rows.integer(row, "wal_receiver_timeout_ms"));
        }
    }

    private Locks locks(Connection connection, Tick tick) throws SQLException {
        List<LockWait> waiting = new ArrayList<>();
        List<BlockingTree.Holder> holders = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(queries.locks());
                ResultSet row = statement.executeQuery()) {
            while (row.next()) {
                if ("waiting".equals(row.getString("kind"))) {
                    List<Integer> blockedBy = Rows.integers(row, "blocked_by");
                    if (blockedBy.isEmpty()) {
                        // it was granted between the activity read and pg_blocking_pids
                        continue;
                    }
                    waiting.add(new LockWait(
                            row.getInt("pid"),
                            row.getString("usename"),
                            row.getString("application_name"),
                            row.getString("client_addr"),
                            row.getString("state"),
                            row.getString("locktype"),
                            row.getString("mode"),
                            Rows.qualified(row),
                            Rows.instant(row, "wait_start"),
                            Math.max(0.0, row.getDouble("wait_seconds")),
                            row.getBoolean("wait_start_approximate"),
                            Rows.decimal(row, "xact_age_seconds"),
                            row.getString("query"),
                            blockedBy,
                            List.of(),
                            false));
                } else {
                    holders.add(new BlockingTree.Holder(
                            row.getInt("pid"),
                            row.getString("usename"),
                            row.getString("application_name"),
                            row.getString("client_addr"),
                            row.getString("state"),
                            Rows.decimal(row, "xact_age_seconds"),
                            Rows.decimal(row, "state_age_seconds"),
                            row.getString("query"),
                            row.getString("holds")));
                }
            }
        }
        List<LockWait> linked = BlockingTree.linkWaiters(waiting);
        return new Locks(linked, BlockingTree.roots(linked, holders));
    }

    private Activity activity(Connection connection, Tick tick) throws SQLException {
        SessionSummary summary;
        try (PreparedStatement statement = connection.prepareStatement(queries.activitySummary());
                ResultSet row = statement.executeQuery()) {
            row.next();
            if (tick.serverTime == null) {
                tick.serverTime = Rows.instant(row, "server_time");
            }
            summary = new SessionSummary(
                    row.getInt("client_sessions"),
                    row.getInt("active"),
                    row.getInt("idle_in_transaction"),
                    row.getInt("waiting_on_locks"),
                    Rows.decimal(row, "oldest_xact_seconds"),
                    Rows.whole(row, "oldest_xmin_age_xids"));
        }
        List<LongTransaction> transactions = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(queries.longTransactions())) {
            statement.setDouble(1, options.longTransaction().toMillis() / 1000.0);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    transactions.add(new LongTransaction(
                            row.getInt("pid"),
                            row.getString("usename"),
                            row.getString("application_name"),
                            row.getString("client_addr"),
                            row.getString("state"),
                            row.getDouble("xact_age_seconds"),
                            Rows.decimal(row, "state_age_seconds"),
                            Rows.whole(row, "xmin_age_xids"),
                            row.getString("query")));
                }
            }
        }
        return new Activity(summary, transactions, null);
    }

    private List<PreparedTransaction> prepared(Connection connection, Tick tick) throws SQLException {
        return list(
                connection,
                queries.preparedTransactions(),
                row -> new PreparedTransaction(
                        row.getString("gid"),
                        Rows.instant(row, "prepared"),
                        row.getString("owner"),
                        row.getString("database"),
                        Rows.whole(row, "xid_age"),
                        row.getDouble("age_seconds")));
    }

    private List<ReplicationConnection> replication(Connection connection, Tick tick) throws SQLException {
        return list(connection, queries.replication(), row -> {
            Double replayLag = Rows.decimal(row, "replay_lag_seconds");
            Long replayLagBytes = Rows.whole(row, "replay_lag_bytes");
            String lagState =
                    replayLag != null ? "measured" : replayLagBytes != null && replayLagBytes == 0 ? "idle" : "unknown";
            return new ReplicationConnection(
                    row.getInt("pid"),
                    row.getString("usename"),
                    row.getString("application_name"),
                    row.getString("client_addr"),
                    row.getString("state"),
                    row.getString("sync_state"),
                    row.getString("sent_lsn"),
                    row.getString("write_lsn"),
                    row.getString("flush_lsn"),
                    row.getString("replay_lsn"),
                    Rows.decimal(row, "write_lag_seconds"),
                    Rows.decimal(row, "flush_lag_seconds"),
                    replayLag,
                    Rows.instant(row, "reply_time"),
                    Rows.whole(row, "sent_lag_bytes"),
                    Rows.whole(row, "write_lag_bytes"),
                    Rows.whole(row, "flush_lag_bytes"),
                    replayLagBytes,
                    lagState);
        });
    }

    private List<ReplicationSlot> slots(Connection connection, Tick tick) throws SQLException {
        return list(
                connection,
                queries.replicationSlots(),
                row -> new ReplicationSlot(
                        row.getString("slot_name"),
                        row.getString("slot_type"),
                        row.getString("database"),
                        row.getBoolean("active"),
                        Rows.integer(row, "active_pid"),
                        row.getString("wal_status"),
                        Rows.whole(row, "safe_wal_size"),
                        Rows.whole(row, "retained_bytes"),
                        Rows.whole(row, "xmin_age_xids"),
                        Rows.whole(row, "catalog_xmin_age_xids"),
                        Rows.instant(row, "inactive_since"),
                        row.getString("invalidation_reason")));
    }

    private List<Progress.CreateIndexProgress> createIndex(Connection connection, Tick tick) throws SQLException {
        return list(connection, queries.createIndexProgress(), row -> {
            Integer locker = Rows.integer(row, "current_locker_pid");
            return new Progress.CreateIndexProgress(
                    row.getInt("pid"),
                    Rows.qualified(row),
                    row.getString("index_name"),
                    row.getString("command"),
                    row.getString("phase"),
                    Rows.whole(row, "lockers_total"),
                    Rows.whole(row, "lockers_done"),
                    locker == null || locker == 0 ? null : locker,
                    Rows.whole(row, "blocks_total"),
                    Rows.whole(row, "blocks_done"),
                    Rows.whole(row, "tuples_total"),
                    Rows.whole(row, "tuples_done"),
                    Rows.decimal(row, "elapsed_seconds"));
        });
    }

    private List<Progress.VacuumProgress> vacuum(Connection connection, Tick tick) throws SQLException {
        return list(
                connection,
                queries.vacuumProgress(),
                row -> new Progress.VacuumProgress(
                        row.getInt("pid"),
                        Rows.qualified(row),
                        row.getString("phase"),
                        Rows.whole(row, "heap_blks_total"),
                        Rows.whole(row, "heap_blks_scanned"),
                        Rows.whole(row, "heap_blks_vacuumed"),
                        Rows.whole(row, "index_vacuum_count"),
                        Rows.whole(row, "max_dead_tuples"),
                        Rows.whole(row, "num_dead_tuples"),
                        Rows.whole(row, "max_dead_tuple_bytes"),
                        Rows.whole(row, "num_dead_item_ids"),
                        Rows.decimal(row, "elapsed_seconds")));
    }

    private List<Progress.ClusterProgress> cluster(Connection connection, Tick tick) throws SQLException {
        return list(
                connection,
                queries.clusterProgress(),
                row -> new Progress.ClusterProgress(
                        row.getInt("pid"),
                        Rows.qualified(row),
                        row.getString("command"),
                        row.getString("phase"),
                        Rows.whole(row, "heap_blks_total"),
                        Rows.whole(row, "heap_blks_scanned"),
                        Rows.whole(row, "heap_tuples_scanned"),
                        Rows.whole(row, "heap_tuples_written"),
                        Rows.whole(row, "index_rebuild_count"),
                        Rows.decimal(row, "elapsed_seconds")));
    }

    private List<Progress.CopyProgress> copy(Connection connection, Tick tick) throws SQLException {
        return list(
                connection,
                queries.copyProgress(),
                row -> new Progress.CopyProgress(
                        row.getInt("pid"),
                        Rows.qualified(row),
                        row.getString("command"),
                        row.getString("type"),
                        Rows.whole(row, "bytes_processed"),
                        Rows.whole(row, "bytes_total"),
                        Rows.whole(row, "tuples_processed"),
                        Rows.whole(row, "tuples_excluded"),
                        Rows.decimal(row, "elapsed_seconds")));
    }

    /**
     * The migration ledgers: their tables are looked up when the session opens and every {@link
     * #LEDGER_REFIND}; one query reads them each tick, and none runs while there is no ledger.
     */
    private List<MigrationLedger> ledgers(Connection connection, Tick tick) throws SQLException {
        Instant now = clock.instant();
        if (ledgerTables == null || now.isAfter(ledgerTablesFoundAt.plus(LEDGER_REFIND))) {
            ledgerTables = MigrationLedgers.find(connection);
            ledgerTablesFoundAt = now;
        }
        try {
            return MigrationLedgers.read(connection, ledgerTables);
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) {
                throw e;
            }
            // a ledger table was dropped since it was found: look again rather than switch the part off
            ledgerTables = MigrationLedgers.find(connection);
            ledgerTablesFoundAt = now;
            return MigrationLedgers.read(connection, ledgerTables);
        }
    }

    @Override
    public void close() {
        monitor.close();
    }

    /**
     * Reads every row of a query with the given mapping; the parts that list rows share this shape. Every probe
     * query is a prepared statement: the driver parses its text once per connection (a plain statement is
     * parsed at every execution, the probe's largest client-side cost at idle) and from its fifth execution
     * the server plans it once.
     */
    private static <T> List<T> list(Connection connection, String sql, RowReader<T> reader) throws SQLException {
        List<T> rows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet row = statement.executeQuery()) {
            while (row.next()) {
                rows.add(reader.read(row));
            }
        }
        return rows;
    }

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }
}
