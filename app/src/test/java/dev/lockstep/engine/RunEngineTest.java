package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.runbook.Expectation;
import dev.lockstep.runbook.Value;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SandboxExtension.class)
class RunEngineTest {

    @BeforeAll
    static void database(Sandbox sandbox) {
        EngineDatabase.use(sandbox);
    }

    private final List<EngineEvent> events = new CopyOnWriteArrayList<>();

    private RunEngine engine(RunEngine.Options options) {
        return new RunEngine(
                EngineDatabase::connect,
                events::add,
                Operator.UNATTENDED,
                () -> Directive.NONE,
                options,
                new Holder("tester", "testhost", 4242));
    }

    private static StepPlan.Backfill backfill(String table, String key, String sql, int size) {
        return backfill("fill", table, key, sql, size);
    }

    /** A backfill step as the engine plans it: fixed batches, no pause, three attempts. */
    static StepPlan.Backfill backfill(String id, String table, String key, String sql, int size) {
        return new StepPlan.Backfill(
                new BackfillPlan(
                        id,
                        table,
                        key,
                        sql,
                        size,
                        null,
                        1,
                        100_000,
                        Duration.ZERO,
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(2),
                        3,
                        new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)),
                        null,
                        null),
                null);
    }

    /**
     * Runs with the server-side batch driver off: these tests act between batches (or look at the client's
     * statements), which the driver runs inside one call.
     */
    private static RunResult clientSide(java.util.concurrent.Callable<RunResult> run) throws Exception {
        System.setProperty("lockstep.batchDriver", "off");
        try {
            return run.call();
        } finally {
            System.clearProperty("lockstep.batchDriver");
        }
    }

    @Test
    void backfillTouchesEveryRowOnceAndResumingADoneRunDoesNothing() throws Exception {
        // given
        EngineDatabase.execute(
                "drop table if exists bf_once",
                "create table bf_once (id bigint primary key, n int not null default 0)",
                "insert into bf_once select g from generate_series(1, 10007) g");
        RunPlan plan = new RunPlan(
                "T-once",
                "sha-1",
                null,
                List.of(backfill(
                        "bf_once", "id", "update bf_once set n = n + 1 where id > :from and id <= :to", 1000)));

        // when
        RunResult first = engine(RunEngine.Options.defaults()).run(plan);
        RunResult again = engine(RunEngine.Options.defaults()).run(plan);

        // then
        assertThat(first.exitCode()).isEqualTo(ExitCode.DONE);
        assertThat(EngineDatabase.queryLong("select count(*) from bf_once where n <> 1"))
                .isZero();
        assertThat(events.stream().filter(e -> e instanceof EngineEvent.BatchCommitted))
                .hasSize(11);
        assertThat(again.exitCode()).isEqualTo(ExitCode.DONE);
        assertThat(again.message()).contains("already completed");
        assertThat(EngineDatabase.queryLong("select count(*) from bf_once where n <> 1"))
                .isZero();
    }

    @Test
    void aListenerRefusingTheOpenRecordLeavesTheRunFreeToResume() throws Exception {
        // given: a recorder that cannot write the open record (a full disk, a wrong key)
        EngineDatabase.counterTable("bf_refused", 100);
        RunPlan plan = new RunPlan(
                "T-refused",
                "sha-1",
                null,
                List.of(backfill(
                        "bf_refused", "id", "update bf_refused set n = n + 1 where id > :from and id <= :to", 50)));
        RunEngine refusing = new RunEngine(
                EngineDatabase::connect,
                event -> {
                    if (event instanceof EngineEvent.RunOpened) {
                        throw new IllegalStateException("cannot write the timeline");
                    }
                },
                Operator.UNATTENDED,
                () -> Directive.NONE,
                RunEngine.Options.defaults(),
                new Holder("tester", "testhost", 4242));

        // when
        assertThatThrownBy(() -> refusing.run(plan)).hasMessageContaining("cannot write the timeline");
        RunResult next = engine(RunEngine.Options.defaults()).run(plan);

        // then: the same process runs it at once; its lease was not left held by the refused run's session
        assertThat(next.exitCode()).as(next.message()).isEqualTo(ExitCode.DONE);
        assertThat(EngineDatabase.queryLong("select count(*) from bf_refused where n <> 1"))
                .isZero();
    }

    @Test
    void aPacedBackfillsFirstRateCountsThePauseAfterItsFirstBatch() throws Exception {
        // given: batches of 100 keys with 200 ms planned between them, so never more than 500 keys a second
        EngineDatabase.counterTable("bf_paced", 300);
        RunPlan plan = new RunPlan(
                "T-paced",
                "sha-1",
                null,
                List.of(new StepPlan.Backfill(
                        new BackfillPlan(
                                "fill",
                                "bf_paced",
                                "id",
                                "update bf_paced set n = n + 1 where id > :from and id <= :to",
                                100,
                                null,
                                1,
                                100,
                                Duration.ofMillis(200),
                                Duration.ofSeconds(30),
                                Duration.ofSeconds(2),
                                3,
                                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)),
                                null,
                                null),
                        null)));

        // when
        RunResult result = engine(RunEngine.Options.defaults()).run(plan);

        // then: the first progress report (the one after the first batch) is within what the pace allows
        assertThat(result.exitCode()).as(result.message()).isEqualTo(ExitCode.DONE);
        BackfillProgress first = events.stream()
                .filter(e -> e instanceof EngineEvent.ProgressReported)
                .map(e -> ((EngineEvent.ProgressReported) e).progress())
                .findFirst()
                .orElseThrow();
        assertThat(first.keysPerSecond()).isPositive().isLessThanOrEqualTo(500);
    }

    @Test
    void theFirstBatchStartsBelowTheSmallestKeyNotTheSmallestText() throws Exception {
        // given: keys 5..3004, whose smallest as text is "1000"
        EngineDatabase.execute(
                "drop table if exists bf_first",
                "create table bf_first (id bigint primary key, n int not null default 0)",
                "insert into bf_first select g from generate_series(5, 3004) g");
        RunPlan plan = new RunPlan(
                "T-first",
                "sha-1",
                null,
                List.of(backfill(
                        "bf_first", "id", "update bf_first set n = n + 1 where id > :from and id <= :to", 400)));

        // when
        RunResult result = engine(RunEngine.Options.defaults()).run(plan);

        // then
        assertThat(result.exitCode()).as(result.message()).isEqualTo(ExitCode.DONE);
        assertThat(EngineDatabase.queryLong("select count(*) from bf_first where n <> 1"))
                .isZero();
    }

    @Test
    void keysWrittenAheadOfTheBackfillWhileItRunsAreEachUpdatedOnce() throws Exception {
        // given: even keys only, so that the application can write odd ones into ranges not yet backfilled
        EngineDatabase.execute(
                "drop table if exists bf_moving",
                "create table bf_moving (id bigint primary key, n int not null default 0)",
                "insert into bf_moving select 2 * g from generate_series(1, 20000) g",
                "analyze bf_moving");
        RunPlan plan = new RunPlan(
                "T-moving",
                "sha-1",
                null,
                List.of(backfill(
                        "bf_moving", "id", "update bf_moving set n = n + 1 where id > :from and id <= :to", 1000)));
        // after each of the first batches: new keys just ahead of it, some keys ahead of it deleted; the bound
        // of the next batch may already have been found (by the look-ahead) before these writes
        try (Connection application = EngineDatabase.connect()) {
            RunEngine engine = new RunEngine(
                    EngineDatabase::connect,
                    event -> {
                        events.add(event);
                        if (event instanceof EngineEvent.BatchCommitted batch && batch.batch() <= 12) {
                            long to = Long.parseLong(batch.toKey());
                            try (Statement writes = application.createStatement()) {
                                writes.execute("insert into bf_moving select g from generate_series(" + (to + 1) + ", "
                                        + (to + 1999) + ", 2) g on conflict do nothing");
                                writes.execute("delete from bf_moving where id between " + (to + 2500) + " and "
                                        + (to + 2600));
                            } catch (java.sql.SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    },
                    Operator.UNATTENDED,
                    () -> Directive.NONE,
                    RunEngine.Options.defaults(),
                    new Holder("tester", "testhost", 4242));

            // when
            RunResult result = clientSide(() -> engine.run(plan));

            // then: every row there now was updated exactly once, and the batches counted each of them once
            assertThat(result.exitCode()).as(result.message()).isEqualTo(ExitCode.DONE);
        }
        assertThat(EngineDatabase.queryLong("select count(*) from bf_moving where n <> 1"))
                .isZero();
        long rowsCounted = events.stream()
                .filter(e -> e instanceof EngineEvent.BatchCommitted)
                .mapToLong(e -> ((EngineEvent.BatchCommitted) e).rows())
                .sum();
        assertThat(rowsCounted).isEqualTo(EngineDatabase.queryLong("select count(*) from bf_moving"));
        assertThat(EngineDatabase.queryLong("select count(*) from bf_moving where id % 2 = 1"))
                .as("the application's new keys are in the table")
                .isGreaterThan(0);
    }

    @Test
    void uuidAndTextKeysArePagedWithoutGapsOrRepeats() throws Exception {
        EngineDatabase.execute(
                "drop table if exists bf_uuid",
                "create table bf_uuid (id uuid primary key, code text unique not null, n int not null default 0)",
                "insert into bf_uuid select md5(g::text)::uuid, 'c' || g, 0 from generate_series(1, 3001) g");
        RunPlan plan = new RunPlan(
                "T-keys",
                "sha-1",
                null,
                List.of(
                        backfill("bf_uuid", "id", "update bf_uuid set n = n + 1 where id > :from and id <= :to", 500),
                        new StepPlan.Backfill(
                                new BackfillPlan(
                                        "fill-text",
                                        "bf_uuid",
                                        "code",
                                        "update bf_uuid set n = n + 10 where code > :from and code <= :to",
                                        700,
                                        null,
                                        1,
                                        1000,
                                        Duration.ZERO,
                                        Duration.ofSeconds(30),
                                        Duration.ofSeconds(2),
                                        3,
                                        new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)),
                                        null,
                                        null),
                                null)));

        RunResult result = engine(RunEngine.Options.defaults()).run(plan);

        assertThat(result.exitCode()).isEqualTo(ExitCode.DONE);
        assertThat(EngineDatabase.queryLong("select count(*) from bf_uuid where n <> 11"))
                .isZero();
    }

    /**
     * The first batch's {@code :from} is a value below the smallest key; when the smallest key is the type's
     * minimum there is none, and the first batch compares {@code key >= smallest} instead. Each table holds its
     * type's minimum, and a small batch size makes the first batch end before the rest.
     */
    @Test
    void aBackfillWhoseSmallestKeyIsTheTypesMinimumCoversEveryRow() throws Exception {
        EngineDatabase.execute(
                "drop table if exists bf_min_bigint, bf_min_uuid, bf_min_text",
                "create table bf_min_bigint (id bigint primary key, n int not null default 0)",
                "insert into bf_min_bigint values (-9223372036854775808), (-9223372036854775807), (0), (1), (2),"
                        + " (9223372036854775807)",
                "create table bf_min_uuid (id uuid primary key, n int not null default 0)",
                "insert into bf_min_uuid values ('00000000-0000-0000-0000-000000000000'),"
                        + " ('00000000-0000-0000-0000-000000000001'), ('ffffffff-ffff-ffff-ffff-ffffffffffff')",
                "insert into bf_min_uuid select md5(g::text)::uuid from generate_series(1, 5) g",
                "create table bf_min_text (id text primary key, n int not null default 0)",
                "insert into bf_min_text values (''), (' '), ('a'), ('b'), ('zz')");
        RunPlan plan = new RunPlan(
                "T-min-keys",
                "sha-1",
                null,
                List.of(
                        backfill(
                                "fill-bigint",
                                "bf_min_bigint",
                                "id",
                                "update bf_min_bigint set n = n + 1 where id > :from and id <= :to",
                                2),
                        backfill(
                                "fill-uuid",
                                "bf_min_uuid",
                                "id",
                                "update bf_min_uuid set n = n + 1 where :from < id and id <= :to",
                                2),
                        backfill(
                                "fill-text",
                                "bf_min_text",
                                "id",
                                "update bf_min_text set n = n + 1 where id > :from and id <= :to",
                                2)));

        RunResult result = engine(RunEngine.Options.defaults()).run(plan);

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.DONE);
        for (String table : List.of("bf_min_bigint", "bf_min_uuid", "bf_min_text")) {
            assertThat(EngineDatabase.queryLong("select count(*) from " + table + " where n <> 1"))
                    .as("rows of %s not updated exactly once", table)
                    .isZero();
        }
    }

    @Test
    void aBackfillFromTheTypesMinimumWhoseLowerBoundCannotBeMadeInclusiveFailsBeforeChangingAnything()
            throws Exception {
        EngineDatabase.execute(
                "drop table if exists bf_min_between",
                "create table bf_min_between (id bigint primary key, n int not null default 0)",
                "insert into bf_min_between values (-9223372036854775808), (1), (2)");
        RunPlan plan = new RunPlan(
                "T-min-between",
                "sha-1",
                null,
                List.of(backfill(
                        "fill-between",
                        "bf_min_between",
                        "id",
                        "update bf_min_between set n = n + 1 where id between :from + 1 and :to",
                        2)));

        RunResult result = engine(RunEngine.Options.defaults()).run(plan);

        assertThat(result.exitCode()).isEqualTo(ExitCode.STEP_FAILED);
        assertThat(result.message())
                .contains("the smallest key of bf_min_between is the smallest bigint")
                .contains("write the lower bound as id > :from");
        assertThat(EngineDatabase.queryLong("select count(*) from bf_min_between where n <> 0"))
                .isZero();
    }

    @Test
    void aSecondRunnerIsRefusedNamingTheHolder() throws Exception {
        EngineDatabase.execute("drop table if exists lease_t", "create table lease_t (id bigint primary key)");
        LockstepSchema schema = LockstepSchema.defaultSchema();
        try (Connection holderSession = EngineDatabase.connect()) {
            schema.ensure(holderSession);
            new RunLease(schema, "T-lease")
                    .acquire(holderSession, "sha-1", Map.of(), new Holder("alice", "bastion", 77), null);

            RunPlan plan = new RunPlan("T-lease", "sha-1", null, List.of(new StepPlan.Note("n", "hello")));
            assertThatThrownBy(() -> engine(RunEngine.Options.defaults()).run(plan))
                    .isInstanceOf(LockstepException.class)
                    .hasMessageContaining("already running")
                    .hasMessageContaining("alice@bastion pid 77")
                    .satisfies(
                            e -> assertThat(((LockstepException) e).exitCode()).isEqualTo(ExitCode.STOPPED));
        }
        // the holder's session ended (its backend exits asynchronously after the client closes): its row is
        // taken over, and the take-over recorded
        while (EngineDatabase.queryLong("select count(*) from pg_locks where locktype = 'advisory'") > 0) {
            Thread.sleep(10);
        }
        RunPlan plan = new RunPlan("T-lease", "sha-1", null, List.of(new StepPlan.Note("n", "hello")));
        RunResult result = engine(RunEngine.Options.defaults()).run(plan);
        assertThat(result.exitCode()).isEqualTo(ExitCode.DONE);
        assertThat(events).anySatisfy(e -> assertThat(e)
                .isInstanceOfSatisfying(
                        EngineEvent.Recovered.class, r -> assertThat(r.what()).isEqualTo("takeover")));
        assertThat(EngineDatabase.queryLong("select count(*) from lockstep.run, jsonb_array_elements(history) h"
                        + " where runbook_id = 'T-lease' and h->>'event' = 'takeover'"))
                .isEqualTo(1);
    }

    @Test
    void aChangedRunbookIsRefusedUnlessAccepted() throws Exception {
        RunPlan stopping = new RunPlan("T-changed", "sha-1", null, List.of(new StepPlan.Approval("ok", "ok?", null)));
        assertThat(engine(RunEngine.Options.defaults()).run(stopping).exitCode())
                .isEqualTo(ExitCode.STOPPED);

        RunPlan changed = new RunPlan("T-changed", "sha-2", null, List.of(new StepPlan.Note("n", "x")));
        assertThatThrownBy(() -> engine(RunEngine.Options.defaults()).run(changed))
                .hasMessageContaining("changed since run")
                .hasMessageContaining("--accept-changed-runbook");
        RunResult accepted = engine(RunEngine.Options.defaults().withAcceptChangedRunbook("typo fix"))
                .run(changed);
        assertThat(accepted.exitCode()).isEqualTo(ExitCode.DONE);
        assertThat(events).anySatisfy(e -> assertThat(e)
                .isInstanceOfSatisfying(EngineEvent.DecisionMade.class, d -> assertThat(d.reason())
                        .isEqualTo("typo fix")));
    }

    @Test
    void approvalsComeFromTheCommandLineOrStopTheUnattendedRun() throws Exception {
        RunPlan plan =
                new RunPlan("T-approve", "sha-1", null, List.of(new StepPlan.Approval("go", "Backup ok?", null)));
        RunResult stopped = engine(RunEngine.Options.defaults()).run(plan);
        assertThat(stopped.exitCode()).isEqualTo(ExitCode.STOPPED);
        assertThat(stopped.message()).contains("--approve go=REASON");

        RunResult approved = engine(RunEngine.Options.defaults().withPreApprovals(Map.of("go", "backup 123 ok")))
                .run(plan);
        assertThat(approved.exitCode()).isEqualTo(ExitCode.DONE);
        assertThat(events).anySatisfy(e -> assertThat(e)
                .isInstanceOfSatisfying(EngineEvent.ApprovalGiven.class, a -> assertThat(a.source())
                        .isEqualTo("command-line")));
    }

    @Test
    void aTransactionalStepWithTooManyRowsRollsBackAndFails() throws Exception {
        EngineDatabase.execute(
                "drop table if exists rows_t",
                "create table rows_t (id int)",
                "insert into rows_t select generate_series(1, 10)");
        RunPlan plan = new RunPlan(
                "T-rows",
                "sha-1",
                null,
                List.of(new StepPlan.Sql(
                        "del",
                        "delete from rows_t",
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(10),
                        1,
                        new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30)),
                        Set.of(),
                        new StepPlan.RowRange(0L, 5L),
                        null)));

        RunResult result = engine(RunEngine.Options.defaults()).run(plan);

        assertThat(result.exitCode()).isEqualTo(ExitCode.STEP_FAILED);
        assertThat(result.message()).contains("affected 10 rows, expected 0..5");
        assertThat(EngineDatabase.queryLong("select count(*) from rows_t")).isEqualTo(10);
    }

    @Test
    void aDdlStepRetriesLockTimeoutsUntilTheHolderCommits() throws Exception {
        EngineDatabase.execute("drop table if exists ddl_t", "create table ddl_t (id int)");
        StepPlan.Check verify = new StepPlan.Check(
                "add-col",
                "select count(*) from information_schema.columns"
                        + " where table_name = 'ddl_t' and column_name = 'extra'",
                new Expectation(List.of(new Expectation.Comparison(Expectation.Operator.EQUALS, Value.of(1L)))),
                Duration.ofSeconds(5));
        RunPlan plan = new RunPlan(
                "T-ddl",
                "sha-1",
                null,
                List.of(new StepPlan.Sql(
                        "add-col",
                        "alter table ddl_t add column extra int",
                        Duration.ofMillis(200),
                        Duration.ofSeconds(10),
                        20,
                        new Backoff(Duration.ofMillis(100), Duration.ofMillis(400)),
                        Set.of("55P03", "40P01"),
                        null,
                        verify)));
        try (Connection holder = EngineDatabase.connect()) {
            holder.setAutoCommit(false);
            try (Statement statement = holder.createStatement()) {
                statement.execute("lock table ddl_t in access share mode");
            }
            Thread release = new Thread(() -> {
                try {
                    while (events.stream()
                                    .filter(e -> e instanceof EngineEvent.StepEnded ended
                                            && "55P03".equals(ended.sqlState()))
                                    .count()
                            < 2) {
                        Thread.sleep(20);
                    }
                    holder.commit();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            release.start();
            RunResult result = engine(RunEngine.Options.defaults()).run(plan);
            release.join();

            assertThat(result.exitCode()).isEqualTo(ExitCode.DONE);
        }
        assertThat(events.stream()
                        .filter(e -> e instanceof EngineEvent.StepEnded ended && "55P03".equals(ended.sqlState())))
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(events).anySatisfy(e -> assertThat(e)
                .isInstanceOfSatisfying(
                        EngineEvent.Verified.class, v -> assertThat(v.passed()).isTrue()));
    }

    @Test
    void aSqlStepRunsTheStatementsValidateReads() throws Exception {
        // given: semicolons inside an E-string, a BEGIN ATOMIC body and a tagged dollar quote
        EngineDatabase.execute("drop table if exists lexed_t", "drop function if exists lexed_f(int)");
        String sql =
                """
                create table lexed_t (note text);
                insert into lexed_t values (E'it\\'s; fine');
                create function lexed_f(x int) returns text language sql
                begin atomic
                  select case when x > 0 then 'positive; ' || x else 'not' end;
                end;
                insert into lexed_t values (lexed_f(1)), ($q$a; $$ b$q$)
                """;
        RunPlan plan = new RunPlan(
                "T-lexed",
                "sha-1",
                null,
                List.of(new StepPlan.Sql(
                        "lexed",
                        sql,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(10),
                        1,
                        new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30)),
                        Set.of(),
                        null,
                        null)));

        // when
        RunResult result = engine(RunEngine.Options.defaults()).run(plan);

        // then
        assertThat(result.exitCode()).as(result.message()).isEqualTo(ExitCode.DONE);
        assertThat(EngineDatabase.queryString("select string_agg(note, '|' order by note) from lexed_t"))
                .isEqualTo("a; $$ b|it's; fine|positive; 1");
    }

    @Test
    void aBatchAfterTheFirstIsOneStatementWithItsBoundAndCheckpoint() throws Exception {
        // given: a trigger that records the statement each row was changed by
        EngineDatabase.counterTable("bf_fused", 1000);
        EngineDatabase.execute(
                "drop table if exists bf_fused_by",
                "create table bf_fused_by (id bigint, query text)",
                "create or replace function bf_fused_by() returns trigger language plpgsql as $$"
                        + " begin insert into bf_fused_by values (new.id, current_query()); return new; end $$",
                "create trigger bf_fused_by before update on bf_fused for each row execute function bf_fused_by()");
        RunPlan plan = new RunPlan(
                "T-fused",
                "sha-1",
                null,
                List.of(backfill(
                        "bf_fused", "id", "update bf_fused set n = n + 1 where id > :from and id <= :to", 100)));

        // when
        RunResult result = clientSide(() -> engine(RunEngine.Options.defaults()).run(plan));

        // then: every row once; the first batch (which looks for the smallest key) on its own, every later one in
        // the statement that also moved the checkpoint
        assertThat(result.exitCode()).as(result.message()).isEqualTo(ExitCode.DONE);
        assertThat(EngineDatabase.queryLong("select count(*) from bf_fused where n <> 1"))
                .isZero();
        assertThat(EngineDatabase.queryLong("select count(*) from bf_fused_by where id > 100 and query not like"
                        + " '%lockstep_checkpoint AS (UPDATE lockstep.backfill_checkpoint%'"))
                .isZero();
        assertThat(EngineDatabase.queryLong("select count(*) from bf_fused_by where id > 100"))
                .isEqualTo(900);
        assertThat(EngineDatabase.queryLong("select batches from lockstep.backfill_checkpoint c join lockstep.run r"
                        + " using (run_id) where r.runbook_id = 'T-fused'"))
                .isEqualTo(10);
    }

    @Test
    void aStatementThatCannotStandInsideACteIsBackfilledInSeparateRoundTrips() throws Exception {
        // given: a WITH that modifies data, which PostgreSQL accepts only at the top level
        EngineDatabase.counterTable("bf_nested", 250);
        EngineDatabase.execute("drop table if exists bf_nested_log", "create table bf_nested_log (id bigint)");
        RunPlan plan = new RunPlan(
                "T-nested",
                "sha-1",
                null,
                List.of(backfill(
                        "bf_nested",
                        "id",
                        "with moved as (update bf_nested set n = n + 1 where id > :from and id <= :to returning id)"
                                + " insert into bf_nested_log select id from moved",
                        100)));

        // when
        RunResult result = clientSide(() -> engine(RunEngine.Options.defaults()).run(plan));

        // then: every row once, each batch counted by the statement's own rows, and the operator told why
        assertThat(result.exitCode()).as(result.message()).isEqualTo(ExitCode.DONE);
        assertThat(EngineDatabase.queryLong("select count(*) from bf_nested where n <> 1"))
                .isZero();
        assertThat(EngineDatabase.queryLong("select count(distinct id) + count(*) from bf_nested_log"))
                .isEqualTo(500);
        assertThat(events)
                .filteredOn(e -> e instanceof EngineEvent.BatchCommitted)
                .extracting(e -> ((EngineEvent.BatchCommitted) e).rows())
                .containsExactly(100L, 100L, 50L);
        assertThat(events)
                .filteredOn(e -> e instanceof EngineEvent.Note)
                .extracting(e -> ((EngineEvent.Note) e).text())
                .anySatisfy(text -> assertThat(text).contains("separate round trips"));
    }

    @Test
    void aCheckpointMovedByAnotherRunnerStopsTheBackfillBeforeItsNextBatchCommits() throws Exception {
        // given: after the second batch, someone else moves the checkpoint (a runner that kept going)
        EngineDatabase.counterTable("bf_moved", 500);
        RunPlan plan = new RunPlan(
                "T-moved",
                "sha-1",
                null,
                List.of(backfill(
                        "bf_moved", "id", "update bf_moved set n = n + 1 where id > :from and id <= :to", 100)));
        RunEngine engine = new RunEngine(
                EngineDatabase::connect,
                event -> {
                    events.add(event);
                    if (event instanceof EngineEvent.BatchCommitted batch && batch.batch() == 2) {
                        try {
                            EngineDatabase.execute("update lockstep.backfill_checkpoint set last_key = '300'"
                                    + " where step_id = 'fill' and runbook_id = 'T-moved'");
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                },
                Operator.UNATTENDED,
                () -> Directive.NONE,
                RunEngine.Options.defaults(),
                new Holder("tester", "testhost", 4242));

        // when
        RunResult result = clientSide(() -> engine.run(plan));

        // then: the third batch found the checkpoint elsewhere and committed nothing
        assertThat(result.exitCode()).as(result.message()).isEqualTo(ExitCode.STOPPED);
        assertThat(result.message()).contains("another runner moved it");
        assertThat(EngineDatabase.queryLong("select count(*) from bf_moved where n = 1"))
                .isEqualTo(200);
        assertThat(EngineDatabase.queryLong("select count(*) from bf_moved where n > 1"))
                .isZero();
    }

    @Test
    void aBackfillMayUseTheJsonbQuestionMarkOperators() throws Exception {
        // given: ? and ?| are operators here, not JDBC parameters
        EngineDatabase.execute(
                "drop table if exists bf_jsonb",
                "create table bf_jsonb (id bigint primary key, doc jsonb not null, n int not null default 0)",
                "insert into bf_jsonb select g, case when g % 2 = 0 then '{\"k\": 1}' else '{}' end::jsonb"
                        + " from generate_series(1, 100) g");
        RunPlan plan = new RunPlan(
                "T-jsonb",
                "sha-1",
                null,
                List.of(backfill(
                        "bf_jsonb",
                        "id",
                        "update bf_jsonb set n = n + 1 where id > :from and id <= :to and doc ? 'k'"
                                + " and doc ?| array['k', 'x']",
                        30)));

        // when
        RunResult result = engine(RunEngine.Options.defaults()).run(plan);

        // then
        assertThat(result.exitCode()).as(result.message()).isEqualTo(ExitCode.DONE);
        assertThat(EngineDatabase.queryLong(
                        "select count(*) from bf_jsonb where n = (case when id % 2 = 0 then 1 else 0 end)"))
                .isEqualTo(100);
    }

    @Test
    void aSessionWithStandardConformingStringsOffRunsNothingItWouldReadOtherwiseThanValidate() throws Exception {
        // given: a database whose sessions read '...' with backslash escapes (a legacy setting)
        EngineDatabase.execute(
                "drop table if exists scs_t", "create table scs_t (id int primary key, note text, n int default 0)");
        ConnectionSource legacy = () -> {
            Connection connection = EngineDatabase.connect();
            try (Statement statement = connection.createStatement()) {
                statement.execute("set standard_conforming_strings = off");
            }
            return connection;
        };
        RunEngine engine = new RunEngine(
                legacy,
                events::add,
                Operator.UNATTENDED,
                () -> Directive.NONE,
                RunEngine.Options.defaults(),
                new Holder("tester", "testhost", 4242));
        StepPlan.Sql plain = sql("plain", "insert into scs_t (id, note) values (1, E'it\\'s; fine'), (2, 'it''s')");
        StepPlan.Sql ambiguous = sql("ambiguous", "insert into scs_t (id, note) select 3, 'it\\'s; two to validate'");
        StepPlan.Backfill backfill = backfill(
                "scs_t", "id", "update scs_t set n = n + 1 where id > :from and id <= :to and note <> 'a\\'; b'", 10);

        // when
        RunResult first = engine.run(new RunPlan("T-scs-off", "sha-1", null, List.of(plain, ambiguous)));
        RunResult second = engine.run(new RunPlan("T-scs-off-backfill", "sha-1", null, List.of(backfill)));

        // then: what reads alike runs; the rest fails before anything of it runs, saying why
        assertThat(first.exitCode()).isEqualTo(ExitCode.STEP_FAILED);
        assertThat(first.message())
                .contains("step ambiguous was not run: this session has standard_conforming_strings off, which"
                        + " reads its SQL as other statements than validate checked (a backslash before a quote in"
                        + " '...'); write such strings as E'...' or double the quote ('')");
        assertThat(EngineDatabase.queryString("select string_agg(note, '|' order by id) from scs_t"))
                .isEqualTo("it's; fine|it's");
        assertThat(second.exitCode()).isEqualTo(ExitCode.STEP_FAILED);
        assertThat(second.message()).contains("step fill was not run");
        assertThat(events.stream()
                        .filter(event -> event instanceof EngineEvent.StepStarted)
                        .map(event -> ((EngineEvent.StepStarted) event).step()))
                .containsExactly("plain");
    }

    private static StepPlan.Sql sql(String id, String sql) {
        return new StepPlan.Sql(
                id,
                sql,
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                1,
                new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30)),
                Set.of(),
                null,
                null);
    }
}
