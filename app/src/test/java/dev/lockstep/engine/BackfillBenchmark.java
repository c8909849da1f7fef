package dev.lockstep.engine;

import dev.lockstep.criteria.Sampler;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.PgSessions;
import dev.lockstep.pg.SessionLimits;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.timeline.Redactor;
import dev.lockstep.timeline.TimelineClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The in-process backfill benchmark (docs/benchmarks.md); {@code scripts/bench} runs its reaction part; not a test.
 *
 * <ol>
 *   <li>Throughput: on a sandbox primary with a streaming standby, the engine's backfill (bound query,
 *       statement, checkpoint row, commit per batch; criteria sampler on its monitor session and the
 *       replication source reading the standby; every batch forced to an unsigned timeline) against a
 *       minimal JDBC loop running the identical statement with the same batch size on an identical table,
 *       one transaction per batch. Rounds alternate which goes first; medians and their ratio.
 *   <li>Reaction: a pause-level custom-SQL criterion is tripped (a row inserted in a flag table) at a
 *       random moment of a running backfill, repeatedly; for each, the time from the signal turning bad,
 *       and from the breach being recorded, to the last batch commit before the run held still.
 * </ol>
 */
public final class BackfillBenchmark {

    /** {@code -Dbench.timeline=false} leaves the timeline out, to see what its forced writes cost. */
    private static final boolean RECORD_TIMELINE = Boolean.parseBoolean(System.getProperty("bench.timeline", "true"));

    private static final String CRITERIA =
            """
            - id: lock-queue
              signal: lock_wait_seconds
              above: 30
              action: pause
              auto_resume: true
            - id: standby-lag
              signal: replication_lag_seconds
              above: 300
              action: pause
              auto_resume: true
            """;

    private static final int WARM_UP_BATCHES = 10_000;
    private static final int WARM_UP_KEYS = 100;

    private final Sandbox sandbox;
    private final ConnectionSettings settings;
    private final Path work;
    private volatile RunEngine running;

    private BackfillBenchmark(Sandbox sandbox, Path work) {
        this.sandbox = sandbox;
        this.settings = ConnectionSettings.parse(sandbox.primaryUri());
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int breaches = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        Path work = Files.createTempDirectory("lockstep-bench-backfill");
        try (Sandbox sandbox = Sandbox.start()) {
            BackfillBenchmark bench = new BackfillBenchmark(sandbox, work);
            if (rounds > 0) {
                bench.throughput(rows, batch, rounds);
            }
            if (breaches > 0) {
                bench.reaction(batch, breaches);
            }
        }
    }

    private void throughput(int rows, int batch, int rounds) throws Exception {
        System.out.printf(Locale.ROOT, "throughput: %d rows, batch %d, %d rounds (rows/s)%n", rows, batch, rounds);
        List<Double> engine = new ArrayList<>();
        List<Double> jdbc = new ArrayList<>();
        List<Double> keyset = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> keysetRatios = new ArrayList<>();
        // unreported warm-ups, so that neither side pays for JIT compilation in a measured round: first
        // 10,000 small batches (a real backfill runs its per-batch path thousands of times; a few hundred
        // batches measure the interpreter on the engine's side: a timeline line costs ~0.3 ms cold, ~15 us
        // compiled), then one at the measured batch size
        for (int[] warmUp :
                new int[][] {{WARM_UP_BATCHES * WARM_UP_KEYS, WARM_UP_KEYS}, {Math.max(batch * 20, rows / 5), batch}}) {
            table("bench_engine", warmUp[0]);
            table("bench_jdbc", warmUp[0]);
            table("bench_keyset", warmUp[0]);
            engineRun(0, warmUp[0], warmUp[1]);
            jdbcLoop(warmUp[0], warmUp[1]);
            keysetLoop(warmUp[0], warmUp[1]);
        }
        for (int round = 1; round <= rounds; round++) {
            table("bench_engine", rows);
            table("bench_jdbc", rows);
            table("bench_keyset", rows);
            double[] rates = new double[3];
            // each side starts from a checkpointed, caught-up server (no dirty pages or replay left by another);
            // which side goes first rotates from round to round
            for (int turn = 0; turn < 3; turn++) {
                int side = (round + turn) % 3;
                settle();
                rates[side] = switch (side) {
                    case 0 -> engineRun(round, rows, batch);
                    case 1 -> jdbcLoop(rows, batch);
                    default -> keysetLoop(rows, batch);
                };
            }
            engine.add(rates[0]);
            jdbc.add(rates[1]);
            keyset.add(rates[2]);
            ratios.add(rates[0] / rates[1]);
            keysetRatios.add(rates[0] / rates[2]);
            System.out.printf(
                    Locale.ROOT,
                    "  round %d: engine %.0f, jdbc %.0f (ratio %.3f), keyset loop %.0f (ratio %.3f)%n",
                    round,
                    rates[0],
                    rates[1],
                    rates[0] / rates[1],
                    rates[2],
                    rates[0] / rates[2]);
        }
        double engineMedian = median(engine);
        double jdbcMedian = median(jdbc);
        System.out.printf(
                Locale.ROOT,
                "  median: engine %.0f rows/s, jdbc %.0f rows/s, ratio of medians %.3f, median of round ratios %.3f"
                        + " (target >= 0.95)%n",
                engineMedian,
                jdbcMedian,
                engineMedian / jdbcMedian,
                median(ratios));
        System.out.printf(
                Locale.ROOT,
                "  keyset loop (bound query, statement, checkpoint row, commit): median %.0f rows/s; engine/keyset"
                        + " ratio of medians %.3f, median of round ratios %.3f%n",
                median(keyset),
                engineMedian / median(keyset),
                median(keysetRatios));
    }

    private double engineRun(int round, int rows, int batch) throws Exception {
        String id = "BENCH-T" + round + "-" + System.nanoTime();
        Runbook runbook = runbook(id, "bench_engine", batch, "0ms", CRITERIA);
        long[] step = new long[2];
        RunResult result = run(runbook, event -> {
            // the backfill itself, from its start to its last batch: not the lease, the schema or the verify
            if (event instanceof EngineEvent.StepStarted started
                    && started.step().equals("fill")) {
                step[0] = System.nanoTime();
            } else if (event instanceof EngineEvent.StepEnded ended
                    && ended.step().equals("fill")) {
                step[1] = System.nanoTime();
            }
        });
        long elapsed = step[1] - step[0];
        if (result.exitCode() != dev.lockstep.ExitCode.DONE) {
            throw new IllegalStateException("engine run failed: " + result.message());
        }
        check("bench_engine", rows);
        return rows / (elapsed / 1e9);
    }

    /** The same sampler and sources as in the engine's runs, so that every side shares the monitoring load. */
    private CriteriaDirectives sampler(String table, int batch) throws Exception {
        Runbook sampled = runbook("BENCH-S-" + System.nanoTime(), table, batch, "0ms", CRITERIA);
        return RunCriteria.start(
                sampled.stopCriteria(),
                settings,
                List.of(ConnectionSettings.parse(sandbox.standbyUri())),
                new EngineGauges(),
                Sampler.Settings.defaults());
    }

    /** The minimal loop: the same statement, the same batch size, one transaction per batch. */
    private double jdbcLoop(int rows, int batch) throws Exception {
        try (CriteriaDirectives sampler = sampler("bench_jdbc", batch);
                Connection connection = PgSessions.open(settings, SessionLimits.control())) {
            connection.setAutoCommit(false);
            long started = System.nanoTime();
            try (PreparedStatement update =
                    connection.prepareStatement("update bench_jdbc set n = n + 1 where id > ? and id <= ?")) {
                for (long from = 0; from < rows; from += batch) {
                    update.setLong(1, from);
                    update.setLong(2, from + batch);
                    update.executeUpdate();
                    connection.commit();
                }
            }
            long elapsed = System.nanoTime() - started;
            check("bench_jdbc", rows);
            return rows / (elapsed / 1e9);
        }
    }

    /**
     * What exactly-once keyset pagination costs in SQL, without the engine: per batch the bound query the
     * engine sends (the size-th key after the last one), the same statement, the same checkpoint row update
     * in the batch's transaction, commit. The engine against this loop is the engine's own cost (events,
     * timeline, progress, safe points); this loop against the minimal one is what the method costs.
     */
    private double keysetLoop(int rows, int batch) throws Exception {
        execute(
                "drop table if exists bench_keyset_checkpoint",
                "create table bench_keyset_checkpoint (id int primary key, last_key text, keys_done bigint,"
                        + " rows_done bigint, batches bigint, updated_at timestamptz)",
                "insert into bench_keyset_checkpoint values (1, null, 0, 0, 0, now())");
        try (CriteriaDirectives sampler = sampler("bench_keyset", batch);
                Connection connection = PgSessions.open(settings, SessionLimits.control())) {
            connection.setAutoCommit(false);
            long started = System.nanoTime();
            try (PreparedStatement bound = connection.prepareStatement("select k::text as upper_key from (select id"
                            + " as k from bench_keyset where id > ? order by id offset ? limit 1) nth");
                    PreparedStatement update =
                            connection.prepareStatement("update bench_keyset set n = n + 1 where id > ? and id <= ?");
                    PreparedStatement checkpoint = connection.prepareStatement("update bench_keyset_checkpoint"
                            + " set last_key = ?, keys_done = keys_done + ?, rows_done = rows_done + ?,"
                            + " batches = batches + 1, updated_at = clock_timestamp()"
                            + " where id = 1 and last_key is not distinct from ?")) {
                String from = null;
                long lower = 0;
                while (true) {
                    bound.setLong(1, lower);
                    bound.setInt(2, batch - 1);
                    String to;
                    try (var result = bound.executeQuery()) {
                        to = result.next() ? result.getString(1) : null;
                    }
                    if (to == null) {
                        // the short last batch: the rows' own count is the same for both loops' tables
                        to = String.valueOf(rows);
                        if (lower >= rows) {
                            connection.commit();
                            break;
                        }
                    }
                    update.setLong(1, lower);
                    update.setLong(2, Long.parseLong(to));
                    int touched = update.executeUpdate();
                    checkpoint.setString(1, to);
                    checkpoint.setLong(2, batch);
                    checkpoint.setLong(3, touched);
                    checkpoint.setString(4, from);
                    if (checkpoint.executeUpdate() != 1) {
                        throw new IllegalStateException("the keyset loop's checkpoint moved");
                    }
                    connection.commit();
                    from = to;
                    lower = Long.parseLong(to);
                }
            }
            long elapsed = System.nanoTime() - started;
            check("bench_keyset", rows);
            return rows / (elapsed / 1e9);
        }
    }

    private void reaction(int batch, int breaches) throws Exception {
        System.out.printf(Locale.ROOT, "reaction: %d pause-level breaches, batch %d%n", breaches, batch);
        execute("drop table if exists bench_flag", "create table bench_flag (at timestamptz)");
        List<Double> fromSignal = new ArrayList<>();
        List<Double> fromBreach = new ArrayList<>();
        int batchesAfterBreachMax = 0;
        while (fromSignal.size() < breaches) {
            // a run that ended during the previous breach left its flag behind: this run must start unflagged
            execute("delete from bench_flag");
            table("bench_react", 1_500_000);
            String id = "BENCH-R-" + System.nanoTime();
            Runbook runbook = runbook(
                    id,
                    "bench_react",
                    batch,
                    "20ms",
                    """
                    - id: flag
                      signal: { sql: "select count(*) from bench_flag" }
                      above: 0
                      action: pause
                      auto_resume: true
                    """);
            List<long[]> commits = new CopyOnWriteArrayList<>();
            List<Long> breachTimes = new CopyOnWriteArrayList<>();
            List<Long> pausedTimes = new CopyOnWriteArrayList<>();
            running = null;
            Thread runner = new Thread(() -> run(runbook, event -> {
                long now = System.nanoTime();
                if (event instanceof EngineEvent.BatchCommitted) {
                    commits.add(new long[] {now});
                } else if (event instanceof EngineEvent.Breach) {
                    breachTimes.add(now);
                } else if (event instanceof EngineEvent.StateChanged state && state.to() == RunState.PAUSED) {
                    pausedTimes.add(now);
                }
            }));
            runner.start();
            while (running == null) {
                Thread.sleep(5);
            }
            while (runner.isAlive() && fromSignal.size() < breaches) {
                Thread.sleep(300 + ThreadLocalRandom.current().nextInt(700));
                if (!runner.isAlive()) {
                    break;
                }
                int pausesBefore = pausedTimes.size();
                long signal = System.nanoTime();
                execute("insert into bench_flag values (now())");
                while (pausedTimes.size() == pausesBefore && runner.isAlive()) {
                    Thread.sleep(5);
                }
                if (!runner.isAlive()) {
                    break;
                }
                Thread.sleep(1500); // nothing may commit from here on; what did is counted below
                long breach = breachTimes.get(breachTimes.size() - 1);
                long lastCommit = 0;
                int afterBreach = 0;
                for (long[] commit : commits) {
                    lastCommit = Math.max(lastCommit, commit[0]);
                    if (commit[0] > breach) {
                        afterBreach++;
                    }
                }
                fromSignal.add(Math.max(0, lastCommit - signal) / 1e6);
                fromBreach.add(Math.max(0, lastCommit - breach) / 1e6);
                batchesAfterBreachMax = Math.max(batchesAfterBreachMax, afterBreach);
                // machine-readable lines for scripts/bench
                System.out.printf(
                        Locale.ROOT,
                        "BENCH\treaction\tsignal-to-last-commit\t%d\t%.1f\tms%n",
                        fromSignal.size(),
                        fromSignal.get(fromSignal.size() - 1));
                System.out.printf(
                        Locale.ROOT,
                        "BENCH\treaction\tbreach-to-last-commit\t%d\t%.1f\tms%n",
                        fromBreach.size(),
                        fromBreach.get(fromBreach.size() - 1));
                System.out.printf(
                        Locale.ROOT,
                        "BENCH\treaction\tbatches-after-breach\t%d\t%d\tbatches%n",
                        fromSignal.size(),
                        afterBreach);
                commits.clear();
                execute("delete from bench_flag");
                // wait for the clear and the first batch after it
                while (commits.isEmpty() && runner.isAlive()) {
                    Thread.sleep(5);
                }
            }
            running.requestStop("benchmark done");
            runner.join();
        }
        System.out.printf(
                Locale.ROOT,
                "  signal turned bad -> last batch commit (ms): median %.0f, p90 %.0f, max %.0f (n=%d)%n",
                median(fromSignal),
                percentile(fromSignal, 0.9),
                Collections.max(fromSignal),
                fromSignal.size());
        System.out.printf(
                Locale.ROOT,
                "  breach recorded -> last batch commit (ms): median %.1f, p90 %.1f, max %.1f;"
                        + " at most %d batch(es) committed after a breach was recorded%n",
                median(fromBreach),
                percentile(fromBreach, 0.9),
                Collections.max(fromBreach),
                batchesAfterBreachMax);
    }

    private RunResult run(Runbook runbook, EngineListener probe) {
        RunPlan plan = RunPlans.of(runbook, Instant.now());
        EngineGauges gauges = new EngineGauges();
        gauges.window(plan.windowEnd());
        TimelineRecorder timeline = new TimelineRecorder(
                work.resolve("timeline"),
                null,
                Redactor.defaults(),
                TimelineClock.system(),
                new TimelineRecorder.OpenInfo(
                        Path.of("bench.yaml"),
                        runbook.source(),
                        null,
                        Map.of(),
                        "bench",
                        ProcessHandle.current().pid(),
                        Map.of(),
                        "bench"),
                plan);
        Holder holder = Holder.current();
        try (CriteriaDirectives criteria = RunCriteria.start(
                runbook.stopCriteria(),
                settings,
                List.of(ConnectionSettings.parse(sandbox.standbyUri())),
                gauges,
                Sampler.Settings.defaults())) {
            RunEngine engine = new RunEngine(
                    () -> PgSessions.open(settings, SessionLimits.control()),
                    event -> {
                        if (RECORD_TIMELINE) {
                            timeline.on(event);
                        }
                        probe.on(event);
                    },
                    Operator.UNATTENDED,
                    criteria,
                    RunEngine.Options.defaults().withGauges(gauges).withSampleEvery(java.time.Duration.ofSeconds(5)),
                    holder);
            running = engine;
            return engine.run(plan);
        }
    }

    private Runbook runbook(String id, String table, int batch, String pause, String criteria) throws Exception {
        Path file = work.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %s
                title: backfill benchmark
                owner: bench
                intent: measure the backfill against a minimal JDBC loop
                change: { class: R2, phase: migrate }
                stop_criteria:
                %s
                steps:
                  - id: fill
                    kind: backfill
                    table: %s
                    key: id
                    batch: { size: %d, pause: %s }
                    sql: update %s set n = n + 1 where id > :from and id <= :to
                    verify:
                      sql: select count(*) from %s where n > 1
                      expect: { equals: 0 }
                """
                        .formatted(id, criteria.indent(2).stripTrailing(), table, batch, pause, table, table),
                StandardCharsets.UTF_8);
        return RunbookLoader.load(file);
    }

    private void table(String table, int rows) throws SQLException {
        execute(
                "drop table if exists " + table,
                "create table " + table + " (id bigint primary key, n int not null default 0)",
                "insert into " + table + " select g from generate_series(1, " + rows + ") g",
                "vacuum analyze " + table,
                "checkpoint");
    }

    private void settle() throws SQLException {
        execute("checkpoint");
        sandbox.awaitStandbyReplay(java.time.Duration.ofMinutes(2));
    }

    private void check(String table, int rows) throws SQLException {
        try (Connection connection = sandbox.connectPrimary();
                Statement statement = connection.createStatement();
                var result = statement.executeQuery("select count(*) from " + table + " where n = 1")) {
            result.next();
            if (result.getLong(1) != rows) {
                throw new IllegalStateException(table + ": " + result.getLong(1) + " of " + rows + " rows updated");
            }
        }
    }

    private void execute(String... statements) throws SQLException {
        try (Connection connection = sandbox.connectPrimary();
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static double median(List<Double> values) {
        return percentile(values, 0.5);
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
