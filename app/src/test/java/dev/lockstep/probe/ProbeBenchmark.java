package dev.lockstep.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The probe cost benchmark (run by scripts/bench; results in docs/benchmarks.md, "Probes"). Not a test: it
 * prints measurements. Load: 500 client sessions on a sandbox primary, 480 of them in open transactions
 * holding ACCESS SHARE on 10 tables and one advisory lock each (5,280 locks), one ALTER TABLE queued for
 * ACCESS EXCLUSIVE behind all of them and 19 SELECTs queued behind the ALTER.
 *
 * <p>Database time of a query = planning + execution time from {@code EXPLAIN (ANALYZE, TIMING OFF)}, run
 * on a separate session against the same load; a snapshot's database time is the sum over the queries the
 * primary's probe sends each tick. Client time = {@link Snapshot#durationMs()} (primary and standby read in
 * parallel, results mapped to records). pg_activity 3's waiting and blocking queries are timed the same way.
 */
public final class ProbeBenchmark {

    private static final int HOLDERS = 480;
    private static final int QUEUED_READERS = 19;
    private static final int TABLES = 10;

    private ProbeBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        try (Sandbox sandbox = Sandbox.start(SandboxConfig.defaults())) {
            run(sandbox, rounds);
        }
    }

    private static void run(Sandbox sandbox, int rounds) throws Exception {
        List<Connection> load = new ArrayList<>();
        ExecutorService blocked = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "bench-waiter");
            thread.setDaemon(true);
            return thread;
        });
        try (Connection admin = sandbox.connectPrimary()) {
            for (int table = 0; table < TABLES; table++) {
                execute(admin, "drop table if exists bench_t" + table + "; create table bench_t" + table + " (id int)");
            }
            for (int holder = 0; holder < HOLDERS; holder++) {
                Connection connection = sandbox.connectPrimary();
                load.add(connection);
                connection.setAutoCommit(false);
                StringBuilder lock = new StringBuilder("lock table ");
                for (int table = 0; table < TABLES; table++) {
                    lock.append(table == 0 ? "" : ", ").append("bench_t").append(table);
                }
                execute(connection, lock + " in access share mode; select pg_advisory_xact_lock(" + holder + ")");
            }
            Connection alter = sandbox.connectPrimary();
            load.add(alter);
            blocked.submit(() -> executeQuietly(alter, "alter table bench_t0 add column note text"));
            awaitWaiting(admin, 1);
            for (int reader = 0; reader < QUEUED_READERS; reader++) {
                Connection connection = sandbox.connectPrimary();
                load.add(connection);
                blocked.submit(() -> executeQuietly(connection, "select count(*) from bench_t0"));
            }
            awaitWaiting(admin, 1 + QUEUED_READERS);
            System.out.printf(
                    Locale.ROOT,
                    "load: PostgreSQL %s, %d client sessions, %d locks in pg_locks (%d not granted)%n",
                    scalar(admin, "select current_setting('server_version')"),
                    Integer.parseInt(scalar(
                            admin, "select count(*) from pg_stat_activity where backend_type = 'client backend'")),
                    Integer.parseInt(scalar(admin, "select count(*) from pg_locks")),
                    Integer.parseInt(scalar(admin, "select count(*) from pg_locks where not granted")));

            measure(sandbox, admin, rounds);
        } finally {
            for (Connection connection : load) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // the sandbox is stopped right after
                }
            }
            blocked.shutdownNow();
        }
    }

    private static void measure(Sandbox sandbox, Connection admin, int rounds) throws Exception {
        int versionNum = Integer.parseInt(scalar(admin, "select current_setting('server_version_num')"));
        PgVersionQueries queries = new PgVersionQueries(versionNum);
        Map<String, String> probeQueries = new LinkedHashMap<>();
        probeQueries.put("recovery", queries.recovery());
        probeQueries.put("locks", queries.locks());
        probeQueries.put("activity summary", queries.activitySummary());
        probeQueries.put("long transactions", queries.longTransactions().replace("?", "60"));
        probeQueries.put("prepared transactions", queries.preparedTransactions());
        probeQueries.put("replication", queries.replication());
        probeQueries.put("replication slots", queries.replicationSlots());
        probeQueries.put("progress create index", queries.createIndexProgress());
        probeQueries.put("progress vacuum", queries.vacuumProgress());
        probeQueries.put("progress cluster", queries.clusterProgress());
        if (queries.copyProgressMissing().isEmpty()) {
            probeQueries.put("progress copy", queries.copyProgress());
        }
        Map<String, String> pgActivity = new LinkedHashMap<>();
        pgActivity.put("pg_activity waiting", pgActivityQuery("get_waiting_post_090200.sql"));
        pgActivity.put("pg_activity blocking", pgActivityQuery("get_blocking_post_090600.sql"));

        ConnectionSettings primary = ConnectionSettings.parse(sandbox.primaryUri());
        ConnectionSettings standby = ConnectionSettings.parse(sandbox.standbyUri());
        double[] client = new double[rounds];
        double[] snapshotDb = new double[rounds];
        double[] locksDb = new double[rounds];
        double[] pgActivityDb = new double[rounds];
        double[] pgActivityClient = new double[rounds];
        double[] floorDb = new double[rounds];
        String floor = "select count(*) from pg_locks";
        Map<String, double[]> perQuery = new LinkedHashMap<>();
        probeQueries.keySet().forEach(name -> perQuery.put(name, new double[rounds]));
        pgActivity.keySet().forEach(name -> perQuery.put(name, new double[rounds]));
        try (WatchProbe probe = WatchProbe.open(primary, List.of(standby), ProbeOptions.defaults())) {
            for (int warmup = 0; warmup < 5; warmup++) {
                probe.take();
            }
            Snapshot check = probe.take();
            System.out.printf(
                    Locale.ROOT,
                    "snapshot sees %d waiting sessions, %d root(s), the root blocks %d%n",
                    check.primary().locks().waiting().size(),
                    check.primary().locks().roots().size(),
                    check.primary().locks().roots().get(0).sessionsBlocked());
            for (int round = 0; round < rounds; round++) {
                client[round] = probe.take().durationMs();
                double total = 0;
                for (Map.Entry<String, String> query : probeQueries.entrySet()) {
                    double millis = explainMillis(admin, query.getValue());
                    perQuery.get(query.getKey())[round] = millis;
                    total += millis;
                }
                snapshotDb[round] = total;
                locksDb[round] = perQuery.get("locks")[round];
                double pgaTotal = 0;
                double pgaClient = 0;
                for (Map.Entry<String, String> query : pgActivity.entrySet()) {
                    double millis = explainMillis(admin, query.getValue());
                    perQuery.get(query.getKey())[round] = millis;
                    pgaTotal += millis;
                    long start = System.nanoTime();
                    drain(admin, query.getValue());
                    pgaClient += (System.nanoTime() - start) / 1_000_000.0;
                }
                pgActivityDb[round] = pgaTotal;
                pgActivityClient[round] = pgaClient;
                floorDb[round] = explainMillis(admin, floor);
                // one machine-readable line per round and measurement, for scripts/bench
                raw("snapshot-db", round, snapshotDb[round]);
                raw("snapshot-client", round, client[round]);
                raw("locks-db", round, locksDb[round]);
                raw("floor-db", round, floorDb[round]);
                raw("pg_activity-db", round, pgActivityDb[round]);
                raw("pg_activity-client", round, pgActivityClient[round]);
            }
        }
        System.out.printf(Locale.ROOT, "%nmedians over %d rounds (ms)%n", rounds);
        System.out.println("| measurement | median ms | p90 ms |");
        System.out.println("|---|---:|---:|");
        row("Lockstep full snapshot, database time (primary, sum of its queries)", snapshotDb);
        row("Lockstep full snapshot, client time (primary + standby, parallel)", client);
        row("Lockstep locks part, database time", locksDb);
        row("pg_activity 3 waiting + blocking, database time", pgActivityDb);
        row("pg_activity 3 waiting + blocking, client time", pgActivityClient);
        row("floor: select count(*) from pg_locks, database time", floorDb);
        for (Map.Entry<String, double[]> query : perQuery.entrySet()) {
            row("  " + query.getKey() + ", database time", query.getValue());
        }
        System.out.printf(
                Locale.ROOT,
                "%nratio pg_activity (waiting + blocking) / Lockstep locks part, database time: %.1fx%n",
                median(pgActivityDb) / median(locksDb));
        System.out.printf(
                Locale.ROOT,
                "ratio pg_activity (waiting + blocking) / Lockstep full snapshot, database time: %.1fx%n",
                median(pgActivityDb) / median(snapshotDb));
    }

    /** pg_activity's query with the values it binds by default: duration mode 1, no filters. */
    private static String pgActivityQuery(String file) throws IOException {
        try (InputStream in = ProbeBenchmark.class.getResourceAsStream("/bench/pg_activity/" + file)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.replace("{duration_column}", "query_start")
                    .replace("%(min_duration)s", "0")
                    .replace("%(dbname_filter)s", "NULL::text");
        }
    }

    private static double explainMillis(Connection connection, String query) throws SQLException, IOException {
        String plan = scalar(connection, "explain (analyze, timing off, format json) " + query);
        JsonNode root = new ObjectMapper().readTree(plan).get(0);
        return root.get("Planning Time").asDouble() + root.get("Execution Time").asDouble();
    }

    private static void drain(Connection connection, String query) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(query)) {
            while (rows.next()) {
                rows.getString(1);
            }
        }
    }

    private static void raw(String side, int round, double millis) {
        System.out.printf(Locale.ROOT, "BENCH\tprobes\t%s\t%d\t%.3f\tms%n", side, round + 1, millis);
    }

    private static void row(String label, double[] values) {
        System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f |%n", label, median(values), percentile(values, 0.9));
    }

    static double median(double[] values) {
        return percentile(values, 0.5);
    }

    static double percentile(double[] values, double fraction) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(fraction * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static void awaitWaiting(Connection admin, int expected) throws Exception {
        long end = System.nanoTime() + 60_000_000_000L;
        while (Integer.parseInt(scalar(admin, "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"))
                < expected) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the load did not reach " + expected + " waiting sessions");
            }
            Thread.sleep(50);
        }
    }

    private static String scalar(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static Void executeQuietly(Connection connection, String sql) {
        try {
            execute(connection, sql);
        } catch (SQLException ignored) {
            // the waiter is released when the benchmark closes its connections
        }
        return null;
    }
}
