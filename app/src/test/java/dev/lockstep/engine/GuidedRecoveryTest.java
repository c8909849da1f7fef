package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.Poll;
import dev.lockstep.cli.CliRun;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures provoked for real in the sandbox, run from the command line as an unattended operator would: each
 * is classified with the facts inspection finds, offers only the options whose preconditions hold, ends
 * failed touching nothing without a decision, and does what {@code --decide} chose (recorded before it acts).
 */
@ExtendWith(SandboxExtension.class)
class GuidedRecoveryTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void database(Sandbox sandbox) {
        EngineDatabase.use(sandbox);
    }

    private static Path runbook(String id, String steps, String recovery) throws IOException {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %s
                title: a step that fails
                owner: tests
                intent: prove that a failure is classified and only safe options are offered
                change: { class: R1, phase: expand }
                steps:
                %s
                %s
                """
                        .formatted(
                                id,
                                steps.indent(2).stripTrailing(),
                                recovery.isEmpty()
                                        ? ""
                                        : "recovery:\n" + recovery.indent(2).stripTrailing()),
                StandardCharsets.UTF_8);
        return file;
    }

    private static CliRun run(Path runbook, String... more) {
        return PlainRuns.run(dir, runbook, more);
    }

    /**
     * Polls until the count query finds a row while the run goes on; the deadline only keeps a broken test
     * from hanging.
     */
    private static void awaitSome(String query, java.util.concurrent.CompletableFuture<CliRun> run) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (EngineDatabase.queryLong(query) == 0) {
            if (run.isDone()) {
                throw new AssertionError("the run ended before: " + query + "\n"
                        + run.get().out() + run.get().err());
            }
            assertThat(System.nanoTime()).as("waiting for: " + query).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static JsonNode option(JsonNode failure, String option) {
        for (JsonNode offer : failure.get("options")) {
            if (offer.get("option").asText().equals(option)) {
                return offer;
            }
        }
        throw new AssertionError("no option " + option + " in " + failure);
    }

    private static String fact(JsonNode failure, String name) {
        for (JsonNode fact : failure.get("facts")) {
            if (fact.get("name").asText().equals(name)) {
                return fact.get("value").asText();
            }
        }
        return null;
    }

    private static String timelines(String runbookId) throws IOException {
        return PlainRuns.timelines(dir, runbookId);
    }

    @Test
    void aLockTimeoutNamesTheBlockerAndRetryWaitsUntilItIsGone() throws Exception {
        EngineDatabase.execute("drop table if exists gr_lock", "create table gr_lock (id int)");
        Path runbook = runbook(
                "T-gr-lock",
                """
                - id: add-flag
                  kind: sql
                  sql: alter table gr_lock add column flag boolean
                  lock_timeout: 100ms
                  retry: { attempts: 2, backoff: 10ms..20ms }
                """,
                "");
        try (Connection holder = EngineDatabase.connect()) {
            // a session that took a lock on the table and went idle in its transaction, as a forgotten psql does
            holder.setAutoCommit(false);
            int pid;
            try (Statement statement = holder.createStatement()) {
                statement.execute("set application_name = 'forgotten-psql'");
                statement.execute("lock table gr_lock in access share mode");
                var rows = statement.executeQuery("select pg_backend_pid()");
                rows.next();
                pid = rows.getInt(1);
            }

            // when: it fails, and an attempt to retry while the blocker stays is refused
            CliRun failed = run(runbook);
            JsonNode failure = PlainRuns.status("T-gr-lock").get("failure");
            CliRun refused = run(runbook, "--decide", "add-flag=retry:the blocker should be gone");

            // then: classified, the blocker named, retry not offered while it holds the lock
            assertThat(failed.exitCode()).as(failed.out() + failed.err()).isEqualTo(1);
            assertThat(failed.out())
                    .contains("lock-timeout")
                    .contains("blocker: pid " + pid)
                    .contains("forgotten-psql")
                    .contains("idle in transaction")
                    .contains("retry (not available)")
                    .contains("--decide add-flag=OPTION:REASON");
            assertThat(failure.get("class").asText()).isEqualTo("lock-timeout");
            assertThat(failure.get("sqlstate").asText()).isEqualTo("55P03");
            assertThat(fact(failure, "blocker")).startsWith("pid " + pid).contains("AccessShareLock on gr_lock");
            assertThat(option(failure, "retry").get("available").asBoolean()).isFalse();
            assertThat(option(failure, "abandon").get("available").asBoolean()).isTrue();
            assertThat(option(failure, "rollback").get("available").asBoolean()).isFalse();
            assertThat(option(failure, "rollback").get("why").asText()).contains("declares no rollback");
            assertThat(refused.exitCode()).as(refused.out()).isEqualTo(1);
            assertThat(refused.out())
                    .contains("--decide add-flag=retry was not taken")
                    .contains("blocker");
            assertThat(EngineDatabase.queryLong("select count(*) from information_schema.columns"
                            + " where table_name = 'gr_lock' and column_name = 'flag'"))
                    .isZero();
        }

        // when: the blocker is gone (its connection closed), retry is taken
        CliRun retried = run(runbook, "--decide", "add-flag=retry:the forgotten session is closed");

        // then
        assertThat(retried.exitCode()).as(retried.out() + retried.err()).isZero();
        assertThat(EngineDatabase.queryLong("select count(*) from information_schema.columns"
                        + " where table_name = 'gr_lock' and column_name = 'flag'"))
                .isEqualTo(1);
        assertThat(PlainRuns.status("T-gr-lock").get("failure").isNull()).isTrue();
        String timeline = timelines("T-gr-lock");
        assertThat(timeline)
                .contains("\"type\":\"failure\"")
                .contains("\"what\":\"retry\"")
                .contains("the forgotten session is closed");
        assertThat(timeline.indexOf("\"what\":\"retry\""))
                .as("the decision is recorded before the step runs again")
                .isLessThan(timeline.lastIndexOf("\"type\":\"step_start\""));
    }

    @Test
    void anInvalidIndexIsPartialDdlAndRepairDropsItFixesTheRowsAndRetries() throws Exception {
        EngineDatabase.execute(
                "drop table if exists gr_dup",
                "create table gr_dup (id int primary key, email text)",
                "insert into gr_dup values (1, 'a@x'), (2, 'a@x'), (3, 'b@x')");
        Path runbook = runbook(
                "T-gr-index",
                """
                - id: unique-email
                  kind: sql
                  sql: create unique index concurrently if not exists gr_dup_email on gr_dup (email)
                  transaction: false
                  verify:
                    sql: select count(*) from pg_index where indexrelid = to_regclass('gr_dup_email') and indisvalid
                    expect: { equals: 1 }
                  on_failure: { repair: drop-duplicates }
                """,
                """
                - id: drop-duplicates
                  kind: sql
                  sql: delete from gr_dup a using gr_dup b where a.email = b.email and a.id > b.id
                  expect_rows: { min: 0 }
                """);

        // when
        CliRun failed = run(runbook);
        JsonNode failure = PlainRuns.status("T-gr-index").get("failure");
        CliRun retryRefused = run(runbook, "--decide", "unique-email=retry:try again");
        CliRun repaired = run(runbook, "--decide", "unique-email=repair:duplicates are test rows");

        // then: the INVALID index is the class, retry is refused over it, repair removes it and runs the rest
        assertThat(failed.exitCode()).as(failed.out() + failed.err()).isEqualTo(1);
        assertThat(failure.get("class").asText()).isEqualTo("partial-ddl");
        assertThat(failure.get("sqlstate").asText()).isEqualTo("23505");
        assertThat(fact(failure, "cause")).startsWith("unique-violation");
        assertThat(fact(failure, "invalid_index")).contains("gr_dup_email").contains("INVALID");
        assertThat(fact(failure, "offending_row")).contains("a@x");
        assertThat(option(failure, "retry").get("available").asBoolean()).isFalse();
        assertThat(option(failure, "repair").get("available").asBoolean()).isTrue();
        assertThat(option(failure, "repair").get("effect").asText())
                .contains("DROP INDEX CONCURRENTLY IF EXISTS gr_dup_email")
                .contains("recovery step drop-duplicates");
        assertThat(retryRefused.exitCode()).isEqualTo(1);
        assertThat(repaired.exitCode()).as(repaired.out() + repaired.err()).isZero();
        assertThat(EngineDatabase.queryLong("select count(*) from pg_index"
                        + " where indexrelid = to_regclass('gr_dup_email') and indisvalid"))
                .isEqualTo(1);
        assertThat(EngineDatabase.queryLong("select count(*) from gr_dup")).isEqualTo(2);
        assertThat(timelines("T-gr-index")).contains("\"what\":\"repair\"").contains("DROP INDEX CONCURRENTLY");
    }

    @Test
    void validateOverBadRowsLeavesTheConstraintNotValidAndRollForwardFixesTheRows() throws Exception {
        EngineDatabase.execute(
                "drop table if exists gr_check",
                "create table gr_check (id int primary key, qty int)",
                "insert into gr_check values (1, 5), (2, -1)",
                "alter table gr_check add constraint gr_check_qty check (qty >= 0) not valid");
        Path runbook = runbook(
                "T-gr-validate",
                """
                - id: validate-qty
                  kind: sql
                  sql: alter table gr_check validate constraint gr_check_qty
                  on_failure: { roll_forward: clamp-and-validate }
                - id: after
                  kind: note
                  text: the constraint holds
                """,
                """
                - id: clamp-and-validate
                  kind: sql
                  sql: |
                    update gr_check set qty = 0 where qty < 0;
                    alter table gr_check validate constraint gr_check_qty;
                  verify:
                    sql: select convalidated from pg_constraint where conname = 'gr_check_qty'
                    expect: { equals: true }
                """);

        // when
        CliRun failed = run(runbook);
        JsonNode failure = PlainRuns.status("T-gr-validate").get("failure");
        CliRun rolledForward = run(runbook, "--decide", "validate-qty=roll-forward:negative quantities mean none");

        // then
        assertThat(failed.exitCode()).as(failed.out() + failed.err()).isEqualTo(1);
        assertThat(failure.get("class").asText()).isEqualTo("check-violation");
        assertThat(fact(failure, "not_valid")).contains("gr_check_qty").contains("NOT VALID");
        assertThat(fact(failure, "constraint")).isEqualTo("gr_check_qty");
        assertThat(option(failure, "roll-forward").get("available").asBoolean()).isTrue();
        assertThat(option(failure, "skip").get("available").asBoolean()).isFalse();
        assertThat(rolledForward.exitCode())
                .as(rolledForward.out() + rolledForward.err())
                .isZero();
        assertThat(rolledForward.out()).contains("rolled forward by recovery step clamp-and-validate");
        assertThat(EngineDatabase.queryString(
                        "select convalidated::text from pg_constraint" + " where conname = 'gr_check_qty'"))
                .isEqualTo("true");
        assertThat(PlainRuns.status("T-gr-validate").get("state").asText()).isEqualTo("done");
    }

    @Test
    void rollbackEndsTheRunRolledBackAndANewRunStartsAfresh() throws Exception {
        EngineDatabase.execute("drop table if exists gr_back", "create table gr_back (id int)");
        Path runbook = runbook(
                "T-gr-rollback",
                """
                - id: add-column
                  kind: sql
                  sql: alter table gr_back add column note text
                - id: fill
                  kind: sql
                  sql: insert into gr_back (id, note) values (1, repeat('x', 10))
                  expect_rows: { min: 2 }
                  on_failure: { rollback: drop-column }
                """,
                """
                - id: drop-column
                  kind: sql
                  sql: alter table gr_back drop column if exists note
                """);

        // when
        CliRun failed = run(runbook);
        JsonNode failure = PlainRuns.status("T-gr-rollback").get("failure");
        CliRun rolledBack = run(runbook, "--decide", "fill=rollback:wrong row count, undo the column");
        JsonNode afterRollback = PlainRuns.status("T-gr-rollback");

        // then: rolled back (not done), the column gone; a new run starts afresh and fails the same way
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failure.get("class").asText()).isEqualTo("post-check-failed");
        assertThat(failure.get("applied").asText()).isEqualTo("nothing");
        assertThat(option(failure, "rollback").get("available").asBoolean()).isTrue();
        assertThat(rolledBack.exitCode())
                .as(rolledBack.out() + rolledBack.err())
                .isEqualTo(1);
        assertThat(rolledBack.out()).contains("ROLLED_BACK");
        assertThat(afterRollback.get("state").asText()).isEqualTo("rolled_back");
        assertThat(EngineDatabase.queryLong("select count(*) from information_schema.columns"
                        + " where table_name = 'gr_back' and column_name = 'note'"))
                .isZero();
        CliRun fresh = run(runbook);
        assertThat(fresh.out()).contains("add-column").doesNotContain("completed by an earlier process");
        assertThat(PlainRuns.status("T-gr-rollback").get("run_id").asText())
                .isNotEqualTo(afterRollback.get("run_id").asText());
    }

    @Test
    void rollbackIsNotOfferedOnceTheRollbackBoundaryWasCrossed() throws Exception {
        // given: a contract runbook whose first step drops a column (a boundary: what it removed is gone)
        EngineDatabase.execute("drop table if exists gr_boundary", "create table gr_boundary (id int, legacy int)");
        Path runbook = dir.resolve("T-gr-boundary.yaml");
        Files.writeString(
                runbook,
                """
                lockstep: 1
                id: T-gr-boundary
                title: a contract whose check fails after the drop
                owner: tests
                intent: prove that rollback is not offered past the boundary
                change: { class: R3, phase: contract }
                steps:
                  - id: old-versions-gone
                    kind: check
                    precondition: true
                    sql: select 0
                    expect: { equals: 0 }
                  - id: drop-legacy
                    kind: sql
                    sql: alter table gr_boundary drop column legacy
                  - id: check-rows
                    kind: check
                    sql: select count(*) from gr_boundary
                    expect: { equals: 1 }
                    on_failure: { rollback: put-back }
                recovery:
                  - id: put-back
                    kind: sql
                    sql: alter table gr_boundary add column if not exists legacy int
                """,
                StandardCharsets.UTF_8);

        // when
        CliRun failed = run(runbook);
        JsonNode failure = PlainRuns.status("T-gr-boundary").get("failure");

        // then: declared, but past the boundary; the crossing is in the timeline
        assertThat(failed.exitCode()).as(failed.out() + failed.err()).isEqualTo(1);
        assertThat(option(failure, "rollback").get("available").asBoolean()).isFalse();
        assertThat(option(failure, "rollback").get("why").asText())
                .contains("step drop-legacy, the rollback boundary, has completed");
        assertThat(timelines("T-gr-boundary")).contains("\"boundary\":true");
    }

    @Test
    void aNonCriticalStepMayBeSkippedAndACriticalOneMayNot() throws Exception {
        EngineDatabase.execute("drop table if exists gr_skip", "create table gr_skip (id int)");
        Path runbook = runbook(
                "T-gr-skip",
                """
                - id: optional-stats
                  kind: check
                  sql: select count(*) from gr_skip
                  expect: { equals: 42 }
                  critical: false
                - id: required
                  kind: check
                  sql: select count(*) from gr_skip
                  expect: { equals: 0 }
                """,
                "");

        CliRun failed = run(runbook);
        JsonNode failure = PlainRuns.status("T-gr-skip").get("failure");
        CliRun skipped = run(runbook, "--decide", "optional-stats=skip:statistics are nice to have");

        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(option(failure, "skip").get("available").asBoolean()).isTrue();
        assertThat(skipped.exitCode()).as(skipped.out() + skipped.err()).isZero();
        assertThat(skipped.out()).contains("left out by decision");
        assertThat(EngineDatabase.queryLong("select count(*) from lockstep.step_ledger l join lockstep.run r"
                        + " using (run_id) where r.runbook_id = 'T-gr-skip' and l.step_id = 'optional-stats'"
                        + " and l.result like 'settled%'"))
                .isEqualTo(1);
    }

    @Test
    void abandonClosesTheFailedRunSoThatANewOneCanStart() throws Exception {
        EngineDatabase.execute("drop table if exists gr_abandon", "create table gr_abandon (id int)");
        Path runbook = runbook(
                "T-gr-abandon",
                """
                - id: never-holds
                  kind: check
                  sql: select count(*) from gr_abandon
                  expect: { equals: 7 }
                """,
                "");

        CliRun failed = run(runbook);
        String firstRun = PlainRuns.status("T-gr-abandon").get("run_id").asText();
        CliRun abandoned = run(runbook, "--decide", "never-holds=abandon:the change is cancelled");
        JsonNode after = PlainRuns.status("T-gr-abandon");
        EngineDatabase.execute("insert into gr_abandon select generate_series(1, 7)");
        CliRun fresh = run(runbook);

        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(abandoned.exitCode()).as(abandoned.out() + abandoned.err()).isEqualTo(1);
        assertThat(after.get("state").asText()).isEqualTo("abandoned");
        assertThat(after.get("run_id").asText()).isEqualTo(firstRun);
        assertThat(fresh.exitCode()).as(fresh.out() + fresh.err()).isZero();
        assertThat(PlainRuns.status("T-gr-abandon").get("run_id").asText()).isNotEqualTo(firstRun);
    }

    @Test
    void aUniqueViolationInABackfillNamesTheRowAndTheBatchAndKeepsWhatCommitted() throws Exception {
        EngineDatabase.execute(
                "drop table if exists gr_fill",
                "create table gr_fill (id bigint primary key, email text unique)",
                "insert into gr_fill select g, 'user' || g || '@X' from generate_series(1, 300) g",
                "update gr_fill set email = 'USER250@x' where id = 251");
        Path runbook = runbook(
                "T-gr-fill",
                """
                - id: lower-emails
                  kind: backfill
                  table: gr_fill
                  key: id
                  batch: { size: 100 }
                  sql: update gr_fill set email = lower(email) where id > :from and id <= :to
                  verify:
                    sql: select count(*) from gr_fill where email <> lower(email)
                    expect: { equals: 0 }
                """,
                "");

        CliRun failed = run(runbook);
        JsonNode failure = PlainRuns.status("T-gr-fill").get("failure");

        assertThat(failed.exitCode()).as(failed.out() + failed.err()).isEqualTo(1);
        assertThat(failure.get("class").asText()).isEqualTo("unique-violation");
        assertThat(failure.get("applied").asText()).isEqualTo("partly");
        assertThat(fact(failure, "offending_row")).contains("user250@x");
        assertThat(fact(failure, "batch")).contains("keys after 200 up to 300");
        assertThat(option(failure, "retry").get("why").asText()).contains("unless they were fixed");
        assertThat(EngineDatabase.queryLong("select count(*) from gr_fill where email = lower(email)"))
                .as("the two batches before the bad one stay committed")
                .isGreaterThanOrEqualTo(200);
    }

    @Test
    void aRoleWithoutPrivilegesCannotStartAndIsToldWhichRole() throws Exception {
        // given: a login role with no privilege on the database or the Lockstep schema
        EngineDatabase.execute(
                "drop table if exists gr_perm",
                "create table gr_perm (id int)",
                "do $$ begin if not exists (select 1 from pg_roles where rolname = 'gr_noright') then"
                        + " create role gr_noright login; end if; end $$");
        Path runbook = runbook(
                "T-gr-perm",
                """
                - id: touch
                  kind: sql
                  sql: insert into gr_perm values (1)
                  expect_rows: { min: 1, max: 1 }
                """,
                "");
        String asNoRight = EngineDatabase.uri().replace("//postgres@", "//gr_noright@");

        // when
        CliRun refused = CliRun.of(
                "run", runbook.toString(), "--db", asNoRight, "--plain", "--unsigned", "--timeline", dir.toString());

        // then: a failure with its class and role, not "stopped"; nothing ran
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(1);
        assertThat(refused.err())
                .contains("cannot start the run: permission (SQLSTATE 42501)")
                .contains("role: gr_noright")
                .contains("nothing ran");
        assertThat(EngineDatabase.queryLong("select count(*) from gr_perm")).isZero();
    }

    @Test
    void aRunPointedAtTheStandbyCannotStartAndIsToldItIsAStandby() throws Exception {
        Path runbook = runbook(
                "T-gr-standby",
                """
                - id: touch
                  kind: sql
                  sql: select 1
                """,
                "");

        CliRun refused = CliRun.of(
                "run",
                runbook.toString(),
                "--db",
                EngineDatabase.sandbox().standbyUri(),
                "--plain",
                "--unsigned",
                "--timeline",
                dir.toString());

        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(1);
        assertThat(refused.err())
                .contains("cannot start the run: read-only (SQLSTATE 25006)")
                .contains("is a standby (in recovery): point --db at the primary");
    }

    @Test
    void aDeadlockIsClassifiedWithTheOtherSessionAndRetryIsOffered() throws Exception {
        // given: the step locks row 2, waits (in its own SQL, while the other session is there) until that
        // session queues for row 2, then asks for row 1, which that session holds: a cycle only the step's
        // deadlock check can find, because the other session's deadlock_timeout is an hour
        EngineDatabase.execute(
                "drop table if exists gr_dead",
                "create table gr_dead (id int primary key, v int)",
                "insert into gr_dead values (1, 0), (2, 0)");
        Path runbook = runbook(
                "T-gr-dead",
                """
                - id: both-rows
                  kind: sql
                  lock_timeout: 30s
                  timeout: 60s
                  retry: { attempts: 1 }
                  sql: |
                    update gr_dead set v = v + 1 where id = 2;
                    do $$ begin
                      while exists (select 1 from pg_stat_activity where application_name = 'gr-dead-other')
                        and not exists (select 1 from pg_stat_activity
                                        where application_name = 'gr-dead-other' and wait_event_type = 'Lock') loop
                        perform pg_sleep(0.01);
                      end loop;
                    end $$;
                    update gr_dead set v = v + 1 where id = 1;
                  verify:
                    sql: select count(*) from gr_dead where v = 1
                    expect: { equals: 2 }
                """,
                "");
        try (Connection other = EngineDatabase.connect()) {
            other.setAutoCommit(false);
            int otherPid;
            try (Statement statement = other.createStatement()) {
                statement.execute("set application_name = 'gr-dead-other'");
                statement.execute("set deadlock_timeout = '1h'");
                statement.execute("update gr_dead set v = v + 1 where id = 1");
                var rows = statement.executeQuery("select pg_backend_pid()");
                rows.next();
                otherPid = rows.getInt(1);
            }
            var failed = java.util.concurrent.CompletableFuture.supplyAsync(() -> run(runbook));
            // the step holds row 2 once its second statement runs
            awaitSome(
                    "select count(*) from pg_stat_activity where application_name = 'lockstep-control'"
                            + " and query like '%gr-dead-other%'",
                    failed);
            try (Statement statement = other.createStatement()) {
                statement.execute("update gr_dead set v = v + 1 where id = 2"); // waits until the step is cancelled
            }
            other.rollback();
            CliRun result = failed.get();

            assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
            JsonNode failure = PlainRuns.status("T-gr-dead").get("failure");
            assertThat(failure.get("class").asText()).isEqualTo("deadlock");
            assertThat(failure.get("sqlstate").asText()).isEqualTo("40P01");
            assertThat(fact(failure, "other_session")).contains("Process " + otherPid);
            assertThat(failure.get("applied").asText()).isEqualTo("nothing");
            assertThat(option(failure, "retry").get("available").asBoolean()).isTrue();
            assertThat(result.out()).contains("deadlock (SQLSTATE 40P01)");
        }
        assertThat(EngineDatabase.queryLong("select sum(v) from gr_dead")).isZero();

        // when: retried with nobody in the way
        CliRun retried = run(runbook, "--decide", "both-rows=retry:the other session has rolled back");
        assertThat(retried.exitCode()).as(retried.out() + retried.err()).isZero();
        assertThat(EngineDatabase.queryLong("select sum(v) from gr_dead")).isEqualTo(2);
    }

    @Test
    void aChangedRunbookIsRefusedNamingTheStepsThatChangedAndWhetherTheyRan() throws Exception {
        EngineDatabase.execute("drop table if exists gr_changed", "create table gr_changed (id int)");
        String first =
                """
                - id: add-row
                  kind: sql
                  sql: insert into gr_changed values (1)
                  expect_rows: { min: 1, max: 1 }
                - id: two-rows
                  kind: check
                  sql: select count(*) from gr_changed
                  expect: { equals: 2 }
                - id: gone-later
                  kind: note
                  text: this step is removed from the runbook
                """;
        Path runbook = runbook("T-gr-changed", first, "");
        CliRun failed = run(runbook);
        runbook(
                "T-gr-changed",
                first.replace("values (1)", "values (2)")
                        .replace("equals: 2", "equals: 1")
                        .replace(
                                """
                - id: gone-later
                  kind: note
                  text: this step is removed from the runbook
                """,
                                """
                - id: new-note
                  kind: note
                  text: this step is new
                """),
                "");

        // when
        CliRun refused = run(runbook);
        CliRun accepted = run(
                runbook,
                "--accept-changed-runbook",
                "the check counted wrong",
                "--decide",
                "two-rows=retry:the check is fixed");

        // then
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(2);
        assertThat(refused.err())
                .contains("changed: add-row (completed: not run again), two-rows (not run yet)")
                .contains("added: new-note")
                .contains("removed: gone-later");
        assertThat(accepted.exitCode()).as(accepted.out() + accepted.err()).isZero();
        assertThat(accepted.out())
                .contains("accept-changed-runbook by ")
                .contains("add-row (completed: not run again)");
        assertThat(EngineDatabase.queryLong("select count(*) from gr_changed where id = 2"))
                .as("a completed step that changed is not run again")
                .isZero();
        assertThat(timelines("T-gr-changed")).contains("add-row (completed: not run again)");
    }

    @Test
    void anIndexBuildCutOffByALostSessionIsReadFromTheCatalogNotAskedAbout() throws Exception {
        // given: a concurrent index build waiting for a writer's open transaction
        EngineDatabase.execute(
                "drop table if exists gr_cic",
                "create table gr_cic (id int primary key, email text)",
                "insert into gr_cic select g, 'u' || g from generate_series(1, 100) g");
        Path runbook = runbook(
                "T-gr-cic",
                """
                - id: email-index
                  kind: sql
                  transaction: false
                  sql: create index concurrently if not exists gr_cic_email on gr_cic (email)
                """,
                "");
        try (Connection writer = EngineDatabase.connect()) {
            writer.setAutoCommit(false);
            try (Statement statement = writer.createStatement()) {
                statement.execute("insert into gr_cic values (1000, 'w')");
            }
            var failed = java.util.concurrent.CompletableFuture.supplyAsync(() -> run(runbook));
            awaitSome(
                    "select count(*) from pg_stat_activity where application_name = 'lockstep-control'"
                            + " and wait_event_type = 'Lock' and query ilike '%gr_cic_email%'",
                    failed);

            // when: the control session is terminated mid-build (the index stays, INVALID)
            EngineDatabase.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                    + " where application_name = 'lockstep-control' and query ilike '%gr_cic_email%'");
            CliRun result = failed.get();
            writer.rollback();

            // then: after the reconnect the catalog decides: partial-ddl, repair offered, nothing asked
            assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
            assertThat(result.out()).contains("partial-ddl").contains("INVALID");
            JsonNode failure = PlainRuns.status("T-gr-cic").get("failure");
            assertThat(failure.get("class").asText()).isEqualTo("partial-ddl");
            assertThat(option(failure, "repair").get("available").asBoolean()).isTrue();
            assertThat(option(failure, "retry").get("available").asBoolean()).isFalse();
        }

        // when: repaired
        CliRun repaired = run(runbook, "--decide", "email-index=repair:the writer is gone; rebuild it");

        // then
        assertThat(repaired.exitCode()).as(repaired.out() + repaired.err()).isZero();
        assertThat(EngineDatabase.queryLong("select count(*) from pg_index"
                        + " where indexrelid = to_regclass('gr_cic_email') and indisvalid"))
                .isEqualTo(1);
    }

    /** One failing step, what it must be classified as, a fact it must name, and whether retry is offered. */
    private record Provoked(String id, String step, String failureClass, String fact, String factHas, boolean retry) {}

    @Test
    void eachClassIsProvokedForRealAndClassifiedWithItsFacts() throws Exception {
        try (Connection connection = EngineDatabase.connect()) {
            LockstepSchema.defaultSchema().ensure(connection); // the limited role is granted its tables below
        }
        EngineDatabase.execute(
                "drop table if exists gr_child, gr_parent, gr_nn, gr_secret",
                "create table gr_nn (id int primary key, v int)",
                "insert into gr_nn values (1, 1), (2, null)",
                "create table gr_parent (id int primary key)",
                "create table gr_child (id int primary key, parent_id int)",
                "insert into gr_parent values (1)",
                "insert into gr_child values (1, 1), (2, 5)",
                "create table gr_secret (id int)",
                "do $$ begin if not exists (select 1 from pg_roles where rolname = 'gr_limited') then"
                        + " create role gr_limited login; end if; end $$",
                "grant usage on schema lockstep to gr_limited",
                "grant select, insert, update on all tables in schema lockstep to gr_limited",
                "revoke all on gr_secret from gr_limited");
        List<Provoked> cases = List.of(
                new Provoked(
                        "T-gr-syntax",
                        """
                        - id: typo
                          kind: sql
                          sql: select count(*) fro gr_nn
                        """,
                        "syntax",
                        "position",
                        "character 21",
                        false),
                new Provoked(
                        "T-gr-undefined",
                        """
                        - id: no-column
                          kind: check
                          sql: select count(missing) from gr_nn
                          expect: { equals: 2 }
                        """,
                        "undefined-object",
                        "position",
                        "character",
                        true),
                new Provoked(
                        "T-gr-timeout",
                        """
                        - id: too-slow
                          kind: sql
                          sql: select pg_sleep(5)
                          timeout: 200ms
                          retry: { attempts: 1 }
                        """,
                        "statement-timeout",
                        "elapsed",
                        "against a timeout of 200ms",
                        true),
                new Provoked(
                        "T-gr-notnull",
                        """
                        - id: v-not-null
                          kind: sql
                          sql: alter table gr_nn alter column v set not null
                        """,
                        "not-null-violation",
                        "column",
                        "v",
                        true),
                new Provoked(
                        "T-gr-fk",
                        """
                        - id: child-fk
                          kind: sql
                          sql: alter table gr_child add constraint gr_child_parent_fk foreign key (parent_id) references gr_parent (id)
                        """,
                        "foreign-key-violation",
                        "offending_row",
                        "(parent_id)=(5)",
                        true),
                // a sort spilling to disk past a temp_file_limit the step sets for itself (53400): the
                // same every time, and nothing beyond 64kB of temporary file is ever written
                new Provoked(
                        "T-gr-resources",
                        """
                        - id: big-sort
                          kind: sql
                          sql: |
                            set local work_mem = '64kB';
                            set local temp_file_limit = '64kB';
                            select count(*) from (select g from generate_series(1, 100000) g order by g desc) s
                        """,
                        "out-of-resources",
                        "ran_out_of",
                        "a configured limit",
                        true));
        for (Provoked provoked : cases) {
            CliRun failed = run(runbook(provoked.id(), provoked.step(), ""));
            assertThat(failed.exitCode())
                    .as(provoked.id() + ": " + failed.out() + failed.err())
                    .isEqualTo(1);
            JsonNode failure = PlainRuns.status(provoked.id()).get("failure");
            assertThat(failure.get("class").asText())
                    .as(provoked.id() + ": " + failure)
                    .isEqualTo(provoked.failureClass());
            assertThat(fact(failure, provoked.fact()))
                    .as(provoked.id() + ": " + failure)
                    .contains(provoked.factHas());
            assertThat(option(failure, "retry").get("available").asBoolean())
                    .as(provoked.id() + ": " + option(failure, "retry"))
                    .isEqualTo(provoked.retry());
            assertThat(failed.out()).contains("FAILED").contains(provoked.failureClass());
        }

        // a role that may run Lockstep but not write the table the step writes
        Path secret = runbook(
                "T-gr-secret",
                """
                - id: write-secret
                  kind: sql
                  sql: insert into gr_secret values (1)
                  expect_rows: { min: 1, max: 1 }
                """,
                "");
        CliRun denied = CliRun.of(
                "run",
                secret.toString(),
                "--db",
                EngineDatabase.uri().replace("//postgres@", "//gr_limited@"),
                "--plain",
                "--unsigned",
                "--timeline",
                dir.resolve("timeline").toString());
        assertThat(denied.exitCode()).as(denied.out() + denied.err()).isEqualTo(1);
        JsonNode failure = PlainRuns.status("T-gr-secret").get("failure");
        assertThat(failure.get("class").asText()).isEqualTo("permission");
        assertThat(fact(failure, "role")).isEqualTo("gr_limited");
        assertThat(option(failure, "retry").get("why").asText())
                .contains("until the privilege is granted to gr_limited");
    }

    /** The pid of the control session while it waits on a lock of {@code waitEvent} running {@code like}. */
    private static int awaitControlWaiting(
            String waitEvent, String like, int notPid, java.util.concurrent.CompletableFuture<CliRun> run) {
        return Poll.until(
                Duration.ofSeconds(60),
                () -> {
                    if (run.isDone()) {
                        throw new AssertionError("the run ended first:\n"
                                + run.get().out() + run.get().err());
                    }
                    return (int) EngineDatabase.queryLong("select coalesce(max(pid), 0) from pg_stat_activity"
                            + " where application_name = 'lockstep-control' and wait_event_type = 'Lock'"
                            + " and wait_event = '" + waitEvent + "' and query ilike '" + like + "'"
                            + " and pid <> " + notPid);
                },
                pid -> pid != 0,
                "the control session waiting on a " + waitEvent + " lock running " + like);
    }

    @Test
    void aSerializationFailureIsClassifiedNothingStaysAndRetryRunsOnTheCommittedState() throws Exception {
        // given: the classic write skew: two doctors on call; a serializable transaction of the test reads
        // who is on call and takes doctor 1 off call, uncommitted, holding an advisory lock until it ends
        EngineDatabase.execute(
                "drop table if exists gr_doc",
                "create table gr_doc (id int primary key, on_call boolean not null)",
                "insert into gr_doc values (1, true), (2, true)");
        Path runbook = runbook(
                "T-gr-serial",
                """
                - id: off-call
                  kind: sql
                  lock_timeout: 5m
                  expect_rows: { min: 0, max: 1 }
                  sql: |
                    set transaction isolation level serializable;
                    update gr_doc set on_call = false where id = 2 and (select count(*) from gr_doc where on_call) > 1;
                    select pg_advisory_xact_lock(4711)
                """,
                "");
        try (Connection other = EngineDatabase.connect()) {
            other.setAutoCommit(false);
            other.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            try (Statement statement = other.createStatement()) {
                statement.execute("select pg_advisory_xact_lock(4711)");
                statement.execute("update gr_doc set on_call = false where id = 1"
                        + " and (select count(*) from gr_doc where on_call) > 1");
            }
            var failed = java.util.concurrent.CompletableFuture.supplyAsync(() -> run(runbook));
            // the step has read both rows and written its own when it queues for the advisory lock
            awaitControlWaiting("advisory", "%pg_advisory_xact_lock%", 0, failed);

            // when: the test's transaction commits first, then the step goes on
            other.commit();
            CliRun result = failed.get();

            // then: classified, nothing of it stayed, retry offered
            assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
            assertThat(result.out())
                    .contains("serialization (SQLSTATE 40001)")
                    .contains("retry (available)")
                    .contains("--decide off-call=OPTION:REASON");
            JsonNode failure = PlainRuns.status("T-gr-serial").get("failure");
            assertThat(failure.get("class").asText()).isEqualTo("serialization");
            assertThat(failure.get("sqlstate").asText()).isEqualTo("40001");
            assertThat(failure.get("applied").asText()).isEqualTo("nothing");
            assertThat(fact(failure, "detail")).startsWith("Reason code:");
            assertThat(fact(failure, "other_session")).isNull();
            assertThat(fact(failure, "lock_wanted")).isNull();
            assertThat(option(failure, "retry").get("available").asBoolean()).isTrue();
            assertThat(option(failure, "retry").get("why").asText()).contains("40001");
            assertThat(option(failure, "repair").get("available").asBoolean()).isFalse();
            assertThat(option(failure, "skip").get("available").asBoolean()).isFalse();
            assertThat(option(failure, "abandon").get("available").asBoolean()).isTrue();
        }
        assertThat(EngineDatabase.queryLong("select count(*) from gr_doc where on_call"))
                .isEqualTo(1);

        // when: retried, the step reads the committed state and leaves the last doctor on call
        CliRun retried = run(runbook, "--decide", "off-call=retry:the other transaction committed; rerun on it");

        // then
        assertThat(retried.exitCode()).as(retried.out() + retried.err()).isZero();
        assertThat(retried.out()).contains("decide  retry at off-call");
        assertThat(EngineDatabase.queryLong("select count(*) from gr_doc where on_call and id = 2"))
                .isEqualTo(1);
        assertThat(PlainRuns.status("T-gr-serial").get("state").asText()).isEqualTo("done");
    }

    @Test
    void aControlSessionTerminatedMidStepIsSettledByTheVerifyOfAStepOutsideATransaction() throws Exception {
        // given: a concurrent index build queued behind a lock the test holds
        EngineDatabase.execute(
                "drop table if exists gr_lost_v",
                "create table gr_lost_v (id int primary key, email text)",
                "insert into gr_lost_v select g, 'u' || g from generate_series(1, 100) g");
        Path runbook = runbook(
                "T-gr-lost-v",
                """
                - id: email-index
                  kind: sql
                  transaction: false
                  lock_timeout: 5m
                  sql: create index concurrently if not exists gr_lost_v_email on gr_lost_v (email)
                  verify:
                    sql: select count(*) from pg_index where indexrelid = to_regclass('gr_lost_v_email') and indisvalid
                    expect: { equals: 1 }
                """,
                "");
        CliRun result;
        try (Connection holder = EngineDatabase.connect()) {
            holder.setAutoCommit(false);
            try (Statement statement = holder.createStatement()) {
                statement.execute("lock table gr_lost_v in share mode");
            }
            var run = java.util.concurrent.CompletableFuture.supplyAsync(() -> run(runbook));
            int first = awaitControlWaiting("relation", "%gr_lost_v_email%", 0, run);

            // when: the control session is terminated mid-step, and once the run is back, the lock is released
            assertThat(EngineDatabase.queryLong("select count(*) from pg_stat_activity, pg_terminate_backend(" + first
                            + ") t where pid = " + first + " and t"))
                    .isEqualTo(1);
            awaitControlWaiting("relation", "%gr_lost_v_email%", first, run);
            holder.rollback();
            result = run.get();
        }

        // then: reconnected, the in-doubt step settled by its verify (not applied: it ran again), done
        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.out())
                .contains("recover reconnected")
                .contains("started without a recorded end; verify says it did not apply: running it again");
        assertThat(EngineDatabase.queryLong("select count(*) from pg_index"
                        + " where indexrelid = to_regclass('gr_lost_v_email') and indisvalid"))
                .isEqualTo(1);
        JsonNode status = PlainRuns.status("T-gr-lost-v");
        assertThat(status.get("state").asText()).isEqualTo("done");
        assertThat(status.get("failure").isNull()).isTrue();
        assertThat(timelines("T-gr-lost-v")).contains("in doubt");
    }

    @Test
    void aControlSessionTerminatedMidStepWithoutAVerifyLeavesTheStepInDoubtAndNeverRunsItBlindly() throws Exception {
        // given: a concurrent reindex queued behind a lock the test holds; no verify, and no index it builds
        EngineDatabase.execute(
                "drop table if exists gr_lost_n",
                "create table gr_lost_n (id int primary key, email text)",
                "create index gr_lost_n_old on gr_lost_n (email)");
        Path runbook = runbook(
                "T-gr-lost-n",
                """
                - id: rebuild-index
                  kind: sql
                  transaction: false
                  lock_timeout: 5m
                  sql: reindex index concurrently gr_lost_n_old
                """,
                "");
        long relfilenode = EngineDatabase.queryLong("select relfilenode from pg_class where relname = 'gr_lost_n_old'");
        CliRun stopped;
        try (Connection holder = EngineDatabase.connect()) {
            holder.setAutoCommit(false);
            try (Statement statement = holder.createStatement()) {
                statement.execute("lock table gr_lost_n in share mode");
            }
            var run = java.util.concurrent.CompletableFuture.supplyAsync(() -> run(runbook));
            int pid = awaitControlWaiting("relation", "%gr_lost_n_old%", 0, run);

            // when: the control session is terminated mid-step, with nobody attending
            assertThat(EngineDatabase.queryLong("select count(*) from pg_stat_activity, pg_terminate_backend(" + pid
                            + ") t where pid = " + pid + " and t"))
                    .isEqualTo(1);
            stopped = run.get();
            holder.rollback();
        }
        CliRun again = run(runbook);

        // then: reconnected, in doubt, nobody to settle it: stopped resumable, and again, the step never re-run
        assertThat(stopped.exitCode()).as(stopped.out() + stopped.err()).isEqualTo(4);
        assertThat(stopped.out()).contains("recover reconnected").contains("rebuild-index is in doubt");
        assertThat(again.exitCode()).as(again.out() + again.err()).isEqualTo(4);
        assertThat(again.out()).contains("rebuild-index is in doubt");
        assertThat(EngineDatabase.queryLong("select relfilenode from pg_class where relname = 'gr_lost_n_old'"))
                .as("the index was not rebuilt")
                .isEqualTo(relfilenode);
        JsonNode status = PlainRuns.status("T-gr-lost-n");
        assertThat(status.get("state").asText()).isEqualTo("stopped");

        // when: the operator, having looked, answers the question in advance for an unattended run
        CliRun decided = run(runbook, "--decide", "rebuild-index=retry:old relfilenode still in pg_class");

        // then: the step runs again, the run is done, and the answer is recorded with its reason and source
        assertThat(decided.exitCode()).as(decided.out() + decided.err()).isZero();
        assertThat(EngineDatabase.queryLong("select relfilenode from pg_class where relname = 'gr_lost_n_old'"))
                .as("the index was rebuilt")
                .isNotEqualTo(relfilenode);
        assertThat(PlainRuns.status("T-gr-lost-n").get("state").asText()).isEqualTo("done");
        assertThat(timelines("T-gr-lost-n"))
                .contains("old relfilenode still in pg_class")
                .contains("given with --decide");
    }
}
