package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.cli.CliRun;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step is completed only when it succeeded and its verify held; a run is done only when every step is.
 * Each case ran as an operator would run it (the command line, twice or three times) and ended "done,
 * exit 0" with the check still false before the fix.
 */
@ExtendWith(SandboxExtension.class)
class FailedChecksTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void database(Sandbox sandbox) {
        EngineDatabase.use(sandbox);
    }

    private static Path runbook(String id, String steps) throws IOException {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %s
                title: a check that does not hold
                owner: tests
                intent: prove that a failed check never ends as done
                change: { class: R1, phase: expand }
                steps:
                %s
                """
                        .formatted(id, steps.indent(2).stripTrailing()),
                StandardCharsets.UTF_8);
        return file;
    }

    private static CliRun run(Path runbook) {
        return PlainRuns.run(dir, runbook);
    }

    private static long okRows(String runbookId, String step) throws Exception {
        return EngineDatabase.queryLong("select count(*) from lockstep.step_ledger l join lockstep.run r using (run_id)"
                + " where r.runbook_id = '" + runbookId + "' and l.step_id = '" + step + "' and l.result like 'ok%'");
    }

    @Test
    void aSqlStepWhoseVerifyFailsIsNotCompletedAndTheNextRunDoesNotSkipIt() throws Exception {
        // given: the column is added, but the verify looks for another one
        EngineDatabase.execute("drop table if exists fc_sql", "create table fc_sql (id int)");
        Path runbook = runbook(
                "T-fc-sql",
                """
                - id: add-column
                  kind: sql
                  sql: alter table fc_sql add column extra int
                  verify:
                    sql: select count(*) from information_schema.columns where table_name = 'fc_sql' and column_name = 'other'
                    expect: { equals: 1 }
                """);

        // when
        CliRun first = run(runbook);
        CliRun second = run(runbook);

        // then: both fail (the second asks what to do about the failure; nobody answers), the step is never
        // "ok", and the failed verify rolled the step back
        assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(1);
        assertThat(first.out()).contains("verify").contains("FAILED");
        assertThat(second.exitCode()).as(second.out() + second.err()).isEqualTo(1);
        assertThat(second.out()).contains("post-check-failed").doesNotContain("done, exit 0");
        assertThat(okRows("T-fc-sql", "add-column")).isZero();
        assertThat(EngineDatabase.queryLong("select count(*) from information_schema.columns"
                        + " where table_name = 'fc_sql' and column_name = 'extra'"))
                .as("a transactional step whose verify fails leaves nothing applied")
                .isZero();
    }

    @Test
    void aBackfillsVerifyIsRunAndAFalseOneFailsTheStep() throws Exception {
        // given: the backfill touches every row, but the verify expects what it does not do
        EngineDatabase.counterTable("fc_fill", 500);
        Path runbook = runbook(
                "T-fc-fill",
                """
                - id: fill
                  kind: backfill
                  table: fc_fill
                  key: id
                  batch: { size: 100 }
                  sql: update fc_fill set n = n + 1 where id > :from and id <= :to
                  verify:
                    sql: select count(*) from fc_fill where n <> 2
                    expect: { equals: 0 }
                """);

        // when
        CliRun first = run(runbook);
        CliRun second = run(runbook);

        // then: the verify ran and failed; the second run asks about it (nobody answers) rather than going on,
        // and the batches ran exactly once
        assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(1);
        assertThat(first.out()).containsPattern("verify +fill FAILED: got 500");
        assertThat(second.exitCode()).as(second.out() + second.err()).isEqualTo(1);
        assertThat(second.out()).contains("post-check-failed").contains("nothing more ran");
        assertThat(okRows("T-fc-fill", "fill")).isZero();
        assertThat(EngineDatabase.queryLong("select count(*) from fc_fill where n <> 1"))
                .isZero();
        assertThat(PlainRuns.timelines(dir, "T-fc-fill"))
                .contains("\"type\":\"verify\"")
                .contains("\"ok\":false");
    }

    @Test
    void aUniqueIndexLeftInvalidByDuplicatesNeverEndsAsDone() throws Exception {
        // given: duplicates make CREATE UNIQUE INDEX CONCURRENTLY fail (23505) and leave an INVALID index
        EngineDatabase.execute(
                "drop table if exists fc_dup",
                "create table fc_dup (id int primary key, email text)",
                "insert into fc_dup values (1, 'a@x'), (2, 'a@x'), (3, 'b@x')");
        Path runbook = runbook(
                "T-fc-index",
                """
                - id: unique-email
                  kind: sql
                  sql: create unique index concurrently if not exists fc_dup_email on fc_dup (email)
                  transaction: false
                  verify:
                    sql: select count(*) from pg_index where indexrelid = to_regclass('fc_dup_email') and indisvalid
                    expect: { equals: 1 }
                """);

        // when: the operator runs it three times (the second finds the INVALID index and "skips" creating it)
        CliRun first = run(runbook);
        CliRun second = run(runbook);
        CliRun third = run(runbook);

        // then
        assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(1);
        assertThat(first.out()).contains("23505");
        assertThat(second.exitCode()).as(second.out() + second.err()).isEqualTo(1);
        assertThat(third.exitCode()).as(third.out() + third.err()).isEqualTo(1);
        assertThat(third.out())
                .contains("partial-ddl")
                .doesNotContain("skipped")
                .doesNotContain("done, exit 0");
        assertThat(okRows("T-fc-index", "unique-email")).isZero();
    }

    @Test
    void everyFailedAttemptOfATransactionalStepIsEndedInTheLedgerWithItsOwnNumber() throws Exception {
        // given: a statement that fails the same way on each of its three attempts (a retried SQLSTATE)
        EngineDatabase.execute("drop table if exists fc_retry", "create table fc_retry (id int check (id > 0))");
        Path runbook = runbook(
                "T-fc-retry",
                """
                - id: insert-bad
                  kind: sql
                  sql: insert into fc_retry values (-1)
                  retry: { attempts: 3, backoff: 10ms..20ms, codes: [23514] }
                  expect_rows: { min: 1, max: 1 }
                """);

        // when
        CliRun result = run(runbook);

        // then
        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
        assertThat(result.out()).contains("check-violation (SQLSTATE 23514) after 3 attempts");
        assertThat(EngineDatabase.queryLong("select count(*) from lockstep.step_ledger l join lockstep.run r"
                        + " using (run_id) where r.runbook_id = 'T-fc-retry' and l.result = 'failed'"
                        + " and l.ended_at is not null and l.attempt between 1 and 3"))
                .isEqualTo(3);
        assertThat(EngineDatabase.queryLong("select count(*) from lockstep.step_ledger l join lockstep.run r"
                        + " using (run_id) where r.runbook_id = 'T-fc-retry' and l.ended_at is null"))
                .isZero();
        assertThat(result.out()).contains("attempt 2").contains("attempt 3");
    }
}
