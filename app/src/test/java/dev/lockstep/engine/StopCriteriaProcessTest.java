package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.cli.CliRun;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import dev.lockstep.timeline.OperatorKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop criteria enforced on a real {@code lockstep run} process against a real primary and streaming
 * standby: a paused standby replay pauses the backfill until it catches up, a lock queue pauses it, and
 * an abort-level custom signal stops it resumably.
 */
@ExtendWith(SandboxExtension.class)
class StopCriteriaProcessTest {

    private static final int ROWS = 60_000;

    @TempDir
    static Path dir;

    private static Sandbox sandbox;

    @BeforeAll
    static void database(Sandbox running) throws Exception {
        sandbox = running;
        EngineDatabase.use(running);
        try (var connection = EngineDatabase.connect()) {
            LockstepSchema.defaultSchema().ensure(connection);
        }
    }

    private static Path runbook(String id, String table, String criteria) throws IOException {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %s
                title: a backfill under stop criteria
                owner: tests
                intent: a backfill that is not idempotent, watched by stop criteria
                change: { class: R2, phase: migrate }
                stop_criteria:
                %s
                steps:
                  - id: fill
                    kind: backfill
                    table: %s
                    key: id
                    batch: { size: 1000, pause: 100ms }
                    sql: update %s set n = n + 1 where id > :from and id <= :to
                    verify:
                      sql: select count(*) from %s where n <> 1
                      expect: { equals: 0 }
                """
                        .formatted(id, criteria.indent(2).stripTrailing(), table, table, table),
                StandardCharsets.UTF_8);
        return file;
    }

    private static Process start(Path runbook, Path log, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                "run",
                runbook.toString(),
                "--db",
                EngineDatabase.uri(),
                "--plain",
                "--every-batch",
                "--timeline",
                dir.resolve("timeline").toString(),
                "--unsigned"));
        command.addAll(List.of(extra));
        return LockstepProcess.start(log, command);
    }

    private static String state(String runbookId) throws Exception {
        try (Connection connection = EngineDatabase.connect();
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery("select state from lockstep.run where runbook_id = '" + runbookId
                        + "' order by started_at desc limit 1")) {
            return rows.next() ? rows.getString(1) : "none";
        }
    }

    private static void await(String what, Process process, Check condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.holds()) {
            assertThat(process.isAlive()).as("the run ended before " + what).isTrue();
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    /** Lines of the log between the first line containing {@code from} and the next containing {@code to}. */
    private static List<String> between(String log, String from, String to) {
        List<String> lines = log.lines().toList();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (start < 0 && lines.get(i).contains(from)) {
                start = i;
            } else if (start >= 0 && lines.get(i).contains(to)) {
                return lines.subList(start + 1, i);
            }
        }
        throw new AssertionError("no '" + from + "' followed by '" + to + "' in:\n" + log);
    }

    @Test
    void pausedStandbyReplayPausesTheBackfillUntilTheStandbyCatchesUp() throws Exception {
        // given
        EngineDatabase.counterTable("lag_t", ROWS);
        Path runbook = runbook(
                "T-lag",
                "lag_t",
                """
                - id: standby-lag
                  signal: replication_lag_seconds
                  above: 3
                  clear_below: 1
                  action: pause
                  auto_resume: true
                """);
        Path log = dir.resolve("lag.log");
        Process run = start(runbook, log, "--standby", sandbox.standbyUri());
        try (Connection standby = sandbox.connectStandby();
                Statement replay = standby.createStatement()) {
            await("the first batches", run, () -> EngineDatabase.committedBatches("T-lag") >= 3);

            // when: replay paused on the standby mid-backfill
            replay.execute("select pg_wal_replay_pause()");
            try {
                await("the pause", run, () -> state("T-lag").equals("paused"));
                long atPause = EngineDatabase.committedBatches("T-lag");
                Thread.sleep(3000);

                // then: nothing commits while the criterion is breached
                assertThat(state("T-lag")).isEqualTo("paused");
                assertThat(EngineDatabase.committedBatches("T-lag")).isEqualTo(atPause);
            } finally {
                replay.execute("select pg_wal_replay_resume()");
            }
        }

        // and: once replay catches up the criterion clears and the run resumes by itself and completes
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        assertThat(run.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("BREACH  standby-lag: .* -> pause").contains("clear   standby-lag: ");
        assertThat(between(output, "-> paused", "clear   standby-lag: "))
                .as(output)
                .noneMatch(line -> line.matches("\\d\\d:\\d\\d:\\d\\d batch .*"));
        assertThat(output).containsPattern("\\d\\d:\\d\\d:\\d\\d batch   #1 ");
        assertThat(EngineDatabase.queryLong("select count(*) from lag_t where n <> 1"))
                .isZero();
    }

    @Test
    void aLockQueuePausesTheRunAndItGoesOnWhenTheHolderCommits() throws Exception {
        // given
        EngineDatabase.counterTable("lockq_t", ROWS);
        EngineDatabase.execute("drop table if exists lockq_app", "create table lockq_app (id int)");
        Path runbook = runbook(
                "T-lockq",
                "lockq_t",
                """
                - id: lock-queue
                  signal: lock_wait_seconds
                  above: 1
                  clear_below: 0.5
                  action: pause
                  auto_resume: true
                """);
        Path log = dir.resolve("lockq.log");
        Process run = start(runbook, log);
        try (Connection holder = EngineDatabase.connect();
                Connection waiter = EngineDatabase.connect()) {
            await("the first batches", run, () -> EngineDatabase.committedBatches("T-lockq") >= 3);

            // when: a session holds a lock an application session queues for
            holder.setAutoCommit(false);
            holder.createStatement().execute("lock table lockq_app in access exclusive mode");
            Thread queued = new Thread(() -> {
                try {
                    waiter.createStatement().execute("select count(*) from lockq_app");
                } catch (Exception e) {
                    // the holder's commit lets it through; a failure shows as a run that never resumes
                }
            });
            queued.start();
            await("the pause", run, () -> state("T-lockq").equals("paused"));
            long atPause = EngineDatabase.committedBatches("T-lockq");
            Thread.sleep(2000);

            // then
            assertThat(state("T-lockq")).isEqualTo("paused");
            assertThat(EngineDatabase.committedBatches("T-lockq")).isEqualTo(atPause);
            holder.commit();
            queued.join(10_000);
        }
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        assertThat(run.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("BREACH  lock-queue: .* -> pause").contains("clear   lock-queue: ");
        assertThat(EngineDatabase.queryLong("select count(*) from lockq_t where n <> 1"))
                .isZero();
    }

    @Test
    void anAbortLevelCustomSignalStopsResumablyAndASecondRunFinishes() throws Exception {
        // given
        EngineDatabase.counterTable("abort_t", ROWS);
        EngineDatabase.execute("drop table if exists abort_flag", "create table abort_flag (raised_at timestamptz)");
        Path runbook = runbook(
                "T-abort",
                "abort_t",
                """
                - id: app-errors
                  signal: { sql: "select count(*) from abort_flag" }
                  above: 0
                  action: abort
                """);
        Path log = dir.resolve("abort.log");
        Process run = start(runbook, log);
        await("the first batches", run, () -> EngineDatabase.committedBatches("T-abort") >= 3);

        // when
        EngineDatabase.execute("insert into abort_flag values (now())");

        // then
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        assertThat(run.exitValue()).as(output).isEqualTo(4);
        assertThat(output).containsPattern("BREACH  app-errors: .* -> abort").contains("resumable");
        assertThat(EngineDatabase.queryLong("select count(*) from abort_t where n = 0"))
                .isPositive();
        assertThat(EngineDatabase.queryLong("select count(*) from abort_t where n > 1"))
                .isZero();

        // and: once the signal is back, running again finishes the job exactly once
        EngineDatabase.execute("delete from abort_flag");
        Process again = start(runbook, log);
        assertThat(again.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).as(Files.readString(log)).isZero();
        assertThat(EngineDatabase.queryLong("select count(*) from abort_t where n <> 1"))
                .isZero();

        // and: the unsigned run's one timeline holds both parts, the abort's close in the middle
        Path timeline = dir.resolve("timeline").resolve(runId("T-abort") + ".jsonl");
        Path anyKey = dir.resolve("abort-verify.key");
        OperatorKey.generate().save(anyKey);
        CliRun verified = CliRun.of("verify", timeline.toString(), "--pubkey", anyKey + ".pub");
        assertThat(verified.exitCode()).as(verified.out() + verified.err()).isEqualTo(1);
        assertThat(verified.out()).startsWith("UNSIGNED").contains("stopped and resumed once");
    }

    private static String runId(String runbookId) throws Exception {
        try (Connection connection = EngineDatabase.connect();
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery(
                        "select run_id from lockstep.run where runbook_id = '" + runbookId + "'")) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }
}
