package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.criteria.Sampler;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.PgSessions;
import dev.lockstep.pg.SessionLimits;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The criteria wired into the engine in-process, where a test can play the operator: a pause without
 * auto_resume waits for the signal to clear, then for the operator's resume (with a reason, recorded as a
 * decision), and only then goes on; a throttle shrinks the batches.
 */
@ExtendWith(SandboxExtension.class)
class CriteriaEngineTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void database(Sandbox sandbox) throws Exception {
        EngineDatabase.use(sandbox);
        try (var connection = EngineDatabase.connect()) {
            LockstepSchema.defaultSchema().ensure(connection);
        }
    }

    private final List<EngineEvent> events = new CopyOnWriteArrayList<>();

    private static Runbook runbook(String id, String table, String criteria) throws Exception {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %s
                title: criteria in the engine
                owner: tests
                intent: a backfill under criteria, with an operator at hand
                change: { class: R2, phase: migrate }
                stop_criteria:
                %s
                steps:
                  - id: fill
                    kind: backfill
                    table: %s
                    key: id
                    batch: { size: 400, pause: 20ms }
                    sql: update %s set n = n + 1 where id > :from and id <= :to
                    verify:
                      sql: select count(*) from %s where n <> 1
                      expect: { equals: 0 }
                """
                        .formatted(id, criteria.indent(2).stripTrailing(), table, table, table),
                StandardCharsets.UTF_8);
        return RunbookLoader.load(file);
    }

    private RunResult run(Runbook runbook, Operator operator) {
        return run(runbook, operator, List.of(), RunEngine.Options.defaults());
    }

    private RunResult run(
            Runbook runbook, Operator operator, List<ConnectionSettings> standbys, RunEngine.Options options) {
        ConnectionSettings settings = ConnectionSettings.parse(EngineDatabase.uri());
        RunPlan plan = RunPlans.of(runbook, Instant.now());
        EngineGauges gauges = new EngineGauges();
        gauges.window(plan.windowEnd());
        try (CriteriaDirectives criteria = RunCriteria.start(
                runbook.stopCriteria(),
                settings,
                standbys,
                gauges,
                Sampler.Settings.defaults().withInterval(Duration.ofMillis(200)))) {
            return new RunEngine(
                            () -> PgSessions.open(settings, SessionLimits.control()),
                            events::add,
                            operator,
                            criteria,
                            options.withGauges(gauges),
                            new Holder("tester", "testhost", 4242))
                    .run(plan);
        }
    }

    @Test
    void aPauseWithoutAutoResumeWaitsForTheOperatorAfterTheSignalClears() throws Exception {
        // given: a flag that pauses, cleared by the test when the run is paused
        EngineDatabase.counterTable("crit_hold_t", 40_000);
        EngineDatabase.execute("drop table if exists crit_hold_flag", "create table crit_hold_flag (x int)");
        Runbook runbook = runbook(
                "T-crit-hold",
                "crit_hold_t",
                """
                - id: hold
                  signal: { sql: "select count(*) from crit_hold_flag" }
                  above: 0
                  action: pause
                """);
        AtomicReference<Long> batchesWhenAsked = new AtomicReference<>();
        Operator operator = new Operator() {
            public boolean attended() {
                return true;
            }

            public Optional<Answer> ask(Question question) {
                try {
                    batchesWhenAsked.set(committed());
                    // still paused: the criterion cleared, but nothing moves until the operator answers
                    assertThat(EngineDatabase.queryLong("select count(*) from crit_hold_flag"))
                            .isZero();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return Optional.of(new Answer("resume", "alice", "flag checked, safe to go on"));
            }
        };
        Thread trip = new Thread(() -> {
            try {
                while (committed() < 5) {
                    Thread.sleep(5);
                }
                EngineDatabase.execute("insert into crit_hold_flag values (1)");
                while (events.stream()
                        .noneMatch(e -> e instanceof EngineEvent.StateChanged s && s.to() == RunState.PAUSED)) {
                    Thread.sleep(5);
                }
                EngineDatabase.execute("delete from crit_hold_flag");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        trip.start();

        // when
        RunResult result = run(runbook, operator);
        trip.join();

        // then
        assertThat(result.exitCode()).as(result.message()).isEqualTo(dev.lockstep.ExitCode.DONE);
        assertThat(batchesWhenAsked.get()).isNotNull();
        List<String> order = events.stream()
                .filter(e -> e instanceof EngineEvent.Breach
                        || e instanceof EngineEvent.Clear
                        || e instanceof EngineEvent.DecisionMade)
                .map(EngineEvent::type)
                .toList();
        assertThat(order).containsSubsequence("breach", "clear", "decision");
        EngineEvent.DecisionMade decision = events.stream()
                .filter(e -> e instanceof EngineEvent.DecisionMade)
                .map(e -> (EngineEvent.DecisionMade) e)
                .findFirst()
                .orElseThrow();
        assertThat(decision.decision()).isEqualTo("resume");
        assertThat(decision.actor()).isEqualTo("alice");
        assertThat(decision.reason()).isEqualTo("flag checked, safe to go on");
        int breachAt = indexOf(EngineEvent.Breach.class);
        int decisionAt = indexOf(EngineEvent.DecisionMade.class);
        long batchesBetween = events.subList(breachAt, decisionAt).stream()
                .filter(e -> e instanceof EngineEvent.BatchCommitted)
                .count();
        assertThat(batchesBetween)
                .as("at most the batch in flight when the breach came")
                .isLessThanOrEqualTo(1);
        assertThat(EngineDatabase.queryLong("select count(*) from crit_hold_t where n <> 1"))
                .isZero();
    }

    @Test
    void aThrottleShrinksTheBatches() throws Exception {
        EngineDatabase.counterTable("crit_slow_t", 1_000); // five throttled batches, each followed by the added second
        Runbook runbook = runbook(
                "T-crit-slow",
                "crit_slow_t",
                """
                - id: always
                  signal: { sql: "select 1" }
                  above: 0
                  action: throttle
                """);

        RunResult result = run(runbook, Operator.UNATTENDED);

        assertThat(result.exitCode()).as(result.message()).isEqualTo(dev.lockstep.ExitCode.DONE);
        assertThat(events)
                .filteredOn(e -> e instanceof EngineEvent.BatchCommitted)
                .allSatisfy(
                        e -> assertThat(((EngineEvent.BatchCommitted) e).keys()).isEqualTo(200));
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(EngineEvent.StateChanged.class, s -> {
            assertThat(s.to()).isEqualTo(RunState.THROTTLED);
        }));
    }

    @Test
    void theTimelinesSamplesChartTheSnapshotsDatabaseSignals(Sandbox sandbox) throws Exception {
        // given: a backfill of at least two seconds (100 batches, 20 ms apart), sampled every 100 ms
        EngineDatabase.counterTable("crit_sample_t", 40_000);
        Runbook runbook = runbook(
                "T-crit-sample",
                "crit_sample_t",
                """
                - id: lock-queue
                  signal: lock_wait_seconds
                  above: 30
                  action: pause
                """);

        // when
        RunResult result = run(
                runbook,
                Operator.UNATTENDED,
                List.of(ConnectionSettings.parse(sandbox.standbyUri())),
                RunEngine.Options.defaults().withSampleEvery(Duration.ofMillis(100)));

        // then: the samples carry the readings the criteria judged, from the probe's snapshot
        assertThat(result.exitCode()).as(result.message()).isEqualTo(dev.lockstep.ExitCode.DONE);
        List<java.util.Map<String, Object>> samples = events.stream()
                .filter(e -> e instanceof EngineEvent.Sampled)
                .map(e -> ((EngineEvent.Sampled) e).readings())
                .toList();
        assertThat(samples).isNotEmpty().anySatisfy(readings -> assertThat(readings)
                .containsKeys(
                        "lock_wait_seconds",
                        "blocked_sessions",
                        "blocked_by_us",
                        "oldest_xact_seconds",
                        "replication_lag_seconds",
                        "replication_lag_bytes",
                        "slot_retained_bytes",
                        "rows_per_second")
                .containsEntry("lock_wait_seconds", 0.0)
                .containsEntry("blocked_by_us", 0.0));
    }

    private int indexOf(Class<?> type) {
        for (int i = 0; i < events.size(); i++) {
            if (type.isInstance(events.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + events);
    }

    private static long committed() throws Exception {
        return EngineDatabase.queryLong("select coalesce(sum(batches), 0) from lockstep.backfill_checkpoint"
                + " where runbook_id like 'T-crit-%' and not done");
    }
}
