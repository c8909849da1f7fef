package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.ExitCode;
import dev.lockstep.runbook.BackfillStep.KeyType;
import dev.lockstep.runbook.StopAction;
import dev.lockstep.runbook.sql.SqlLexer;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server-side batch driver: the batches after the first run inside {@link BatchDriver}'s procedure. */
@ExtendWith(SandboxExtension.class)
class BatchDriverTest {

    @BeforeAll
    static void database(Sandbox sandbox) {
        EngineDatabase.use(sandbox);
    }

    private final List<EngineEvent> events = new CopyOnWriteArrayList<>();

    private RunResult run(String runbookId, StepPlan... steps) {
        return new RunEngine(
                        EngineDatabase::connect,
                        events::add,
                        Operator.UNATTENDED,
                        () -> Directive.NONE,
                        RunEngine.Options.defaults(),
                        new Holder("tester", "testhost", 4242))
                .run(new RunPlan(runbookId, "sha-1", null, List.of(steps)));
    }

    /** A trigger that records, for each row changed, the statement the client sent (a CALL, for the driver). */
    private static void recordQueries(String table) throws Exception {
        EngineDatabase.execute(
                "create table if not exists drv_by (tab text, query text)",
                "create or replace function drv_by() returns trigger language plpgsql as $$"
                        + " begin insert into drv_by values (tg_table_name, current_query()); return new; end $$",
                "create trigger drv_by before update on " + table + " for each row execute function drv_by()");
    }

    @Test
    void sparseUuidAndCollatedTextKeysAreEachUpdatedOnceByTheDriver() throws Exception {
        // given: sparse bigint keys; uuid keys; text keys under an ICU collation, whose order ('a' < 'B' < 'c')
        // is not the database's C order ('B' < 'a' < 'c'), so that a comparison in the wrong collation skips or
        // repeats keys
        EngineDatabase.execute(
                "drop table if exists drv_by, drv_sparse, drv_uuid, drv_text",
                "create table drv_sparse (id bigint primary key, n int not null default 0)",
                "insert into drv_sparse select g * g, 0 from generate_series(1, 3000) g",
                "create table drv_uuid (id uuid primary key, n int not null default 0)",
                "insert into drv_uuid select md5(g::text)::uuid, 0 from generate_series(1, 2000) g",
                "create table drv_text (code text collate \"und-x-icu\" primary key, n int not null default 0)",
                "insert into drv_text select case when g % 2 = 0 then upper(md5(g::text)) else md5(g::text) end, 0"
                        + " from generate_series(1, 2000) g");
        for (String table : List.of("drv_sparse", "drv_uuid", "drv_text")) {
            recordQueries(table);
        }

        // when
        RunResult result = run(
                "T-drv-keys",
                RunEngineTest.backfill(
                        "sparse",
                        "drv_sparse",
                        "id",
                        "update drv_sparse set n = n + 1 where id > :from and id <= :to",
                        100),
                RunEngineTest.backfill(
                        "uuid", "drv_uuid", "id", "update drv_uuid set n = n + 1 where id > :from and id <= :to", 300),
                RunEngineTest.backfill(
                        "text",
                        "drv_text",
                        "code",
                        "update drv_text set n = n + 1 where code > :from and code <= :to",
                        250));

        // then: every row once, counted once, and every batch after each step's first ran inside the driver
        assertThat(result.exitCode()).as(result.message()).isEqualTo(ExitCode.DONE);
        for (String table : List.of("drv_sparse", "drv_uuid", "drv_text")) {
            assertThat(EngineDatabase.queryLong("select count(*) from " + table + " where n <> 1"))
                    .as(table)
                    .isZero();
        }
        assertThat(events.stream()
                        .filter(e -> e instanceof EngineEvent.BatchCommitted)
                        .mapToLong(e -> ((EngineEvent.BatchCommitted) e).rows())
                        .sum())
                .isEqualTo(7000);
        assertThat(EngineDatabase.queryString("select string_agg(tab || ' ' || n, ', ' order by tab) from ("
                        + " select tab, count(*) n from drv_by where query like 'call lockstep.backfill_slice_v1(%'"
                        + " group by tab) t"))
                .isEqualTo("drv_sparse 2900, drv_text 1750, drv_uuid 1700");
    }

    @Test
    void theDriverCommitsNothingWhereTheCheckpointIsNotWhereTheRunnerHasIt() throws Exception {
        // given: a run whose checkpoint for a step stands at key 300
        EngineDatabase.counterTable("drv_guard", 1000);
        assertThat(run(
                                "T-drv-guard",
                                RunEngineTest.backfill(
                                        "fill",
                                        "drv_guard",
                                        "id",
                                        "update drv_guard set n = n + 1 where id > :from and id <= :to",
                                        500))
                        .exitCode())
                .isEqualTo(ExitCode.DONE);
        EngineDatabase.execute("update drv_guard set n = 0");
        EngineDatabase.execute("insert into lockstep.backfill_checkpoint (run_id, runbook_id, step_id, last_key)"
                + " select run_id, 'T-drv-guard', 'stale', '300' from lockstep.run where runbook_id = 'T-drv-guard'");
        String runId = EngineDatabase.queryString("select run_id from lockstep.run where runbook_id = 'T-drv-guard'");
        LockstepSchema schema = LockstepSchema.defaultSchema();
        BatchDriver driver = BatchDriver.of(
                schema,
                "drv_guard",
                "id",
                KeyType.INTEGER,
                SqlLexer.statements("update drv_guard set n = n + 1 where id > :from and id <= :to")
                        .get(0));

        try (Connection connection = EngineDatabase.connect()) {
            connection.setAutoCommit(true);
            schema.ensureBatchDriver(connection);

            // when: a runner that has the checkpoint at 100 (stale) calls the driver
            BatchDriver.Slice stale = driver.run(connection, statement -> {}, "100", 50, runId, "stale");

            // then: it is refused, and nothing of the batch it started stays
            assertThat(stale.ending()).isEqualTo(BatchDriver.Ending.REFUSED);
            assertThat(stale.batches()).isEmpty();
            assertThat(EngineDatabase.queryLong("select count(*) from drv_guard where n <> 0"))
                    .isZero();
            assertThat(EngineDatabase.queryString("select last_key || ' ' || batches from lockstep.backfill_checkpoint"
                            + " where run_id = '" + runId + "' and step_id = 'stale'"))
                    .isEqualTo("300 0");

            // and when: a runner that has it where it is runs from there, to the end
            BatchDriver.Slice current = driver.run(connection, statement -> {}, "300", 50, runId, "stale");
            while (current.ending() == BatchDriver.Ending.SLICE) {
                String last =
                        current.batches().get(current.batches().size() - 1).end();
                current = driver.run(connection, statement -> {}, last, 50, runId, "stale");
            }

            // then: exactly the keys after 300, once, and the checkpoint done; a call after that is refused
            assertThat(current.ending()).isEqualTo(BatchDriver.Ending.DONE);
            assertThat(EngineDatabase.queryLong("select count(*) from drv_guard where n = 1 and id > 300"))
                    .isEqualTo(700);
            assertThat(EngineDatabase.queryLong(
                            "select count(*) from drv_guard where n <> 1 and id > 300 or n <> 0" + " and id <= 300"))
                    .isZero();
            assertThat(driver.run(connection, statement -> {}, "1000", 50, runId, "stale")
                            .ending())
                    .isEqualTo(BatchDriver.Ending.REFUSED);
        }
    }

    @Test
    void aPauseEndsTheRunningSliceAtOnce() throws Exception {
        // given: batches of 5 keys, far more than one slice runs; a criterion asks for a pause (without
        // auto_resume: the unattended run stops) once 20 batches committed, which is inside the first slice
        EngineDatabase.counterTable("drv_pause", 100_000);
        Directive pause = new Directive(
                Optional.of(StopAction.PAUSE), "test-pause", "twenty batches", false, false, 1.0, Duration.ZERO);
        Directive.Source criteria = () -> {
            try {
                return EngineDatabase.committedBatches("T-drv-pause") >= 20 ? pause : Directive.NONE;
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        };

        // when
        RunResult result = new RunEngine(
                        EngineDatabase::connect,
                        events::add,
                        Operator.UNATTENDED,
                        criteria,
                        RunEngine.Options.defaults(),
                        new Holder("tester", "testhost", 4242))
                .run(new RunPlan(
                        "T-drv-pause",
                        "sha-1",
                        null,
                        List.of(RunEngineTest.backfill(
                                "fill",
                                "drv_pause",
                                "id",
                                "update drv_pause set n = n + 1 where id > :from and id <= :to",
                                5))));

        // then: the run stopped, paused, with the slice cut short (its batch in flight rolled back), and what
        // committed is what the checkpoint says, once
        assertThat(result.exitCode()).as(result.message()).isEqualTo(ExitCode.STOPPED);
        assertThat(events)
                .filteredOn(e -> e instanceof EngineEvent.Note)
                .extracting(e -> ((EngineEvent.Note) e).text())
                .anySatisfy(text -> assertThat(text).contains("ended the server-side slice early"));
        long rowsDone = EngineDatabase.queryLong(
                "select rows_done from lockstep.backfill_checkpoint where runbook_id = 'T-drv-pause'");
        assertThat(rowsDone).isLessThan(100_000);
        assertThat(EngineDatabase.queryLong("select count(*) from drv_pause where n = 1"))
                .isEqualTo(rowsDone);
        assertThat(EngineDatabase.queryLong("select count(*) from drv_pause where n > 1"))
                .isZero();
    }

    @Test
    void aDriverTheServerCannotCallLeavesTheBatchesToTheClient() throws Exception {
        // given: something else under the driver's name (so it is not installed), which a CALL cannot run
        EngineDatabase.counterTable("drv_fallback", 500);
        try (Connection connection = EngineDatabase.connect()) {
            LockstepSchema.defaultSchema().ensure(connection);
        }
        dropDriver();
        EngineDatabase.execute("create function lockstep.backfill_slice_v1() returns int language sql as 'select 1'");
        try {
            // when
            RunResult result = run(
                    "T-drv-fallback",
                    RunEngineTest.backfill(
                            "fill",
                            "drv_fallback",
                            "id",
                            "update drv_fallback set n = n + 1 where id > :from and id <= :to",
                            100));

            // then: every row once, by the client's paths, and the operator told why
            assertThat(result.exitCode()).as(result.message()).isEqualTo(ExitCode.DONE);
            assertThat(EngineDatabase.queryLong("select count(*) from drv_fallback where n <> 1"))
                    .isZero();
            assertThat(events)
                    .filteredOn(e -> e instanceof EngineEvent.Note)
                    .extracting(e -> ((EngineEvent.Note) e).text())
                    .anySatisfy(text -> assertThat(text).contains("cannot run in the server-side batch driver"));
        } finally {
            dropDriver();
        }
    }

    private static void dropDriver() throws Exception {
        EngineDatabase.execute("do $$ declare r record; begin for r in select oid::regprocedure as p from pg_proc"
                + " where proname = 'backfill_slice_v1' loop execute 'drop routine ' || r.p; end loop; end $$");
    }
}
