package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.cli.CliRun;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill whose projected finish passes the change window's end asks before it gets there, from the command
 * line as an unattended operator meets it: without a decision it stops at a safe point (exit 4) saying how to
 * go on; {@code --decide STEP=throttle} goes on with half-size batches, exactly once.
 */
@ExtendWith(SandboxExtension.class)
class WindowQuestionTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void database(Sandbox sandbox) {
        EngineDatabase.use(sandbox);
    }

    @Test
    void aBackfillThatWouldOverrunTheWindowStopsUnattendedAndGoesOnWhenDecided() throws Exception {
        // given: 4,000 rows in batches of 400, and a window that ended long ago (every projection overruns it)
        EngineDatabase.execute(
                "drop table if exists wq_fill",
                "create table wq_fill (id int primary key, n int not null default 0)",
                "insert into wq_fill (id) select g from generate_series(1, 4000) g");
        Path runbook = dir.resolve("wq.yaml");
        Files.writeString(
                runbook,
                """
                lockstep: 1
                id: T-wq
                title: a backfill past its window
                owner: tests
                intent: prove that overrunning the window is asked before, not found after
                change: { class: R2, phase: expand }
                window: { ends_at: "2020-01-01T00:00:00Z" }
                steps:
                  - id: fill
                    kind: backfill
                    table: wq_fill
                    key: id
                    batch: { size: 400, pause: 10ms }
                    estimate_rows: 4000
                    sql: update wq_fill set n = n + 1 where id > :from and id <= :to
                    verify: { sql: "select count(*) from wq_fill where n <> 1", expect: { equals: 0 } }
                """,
                StandardCharsets.UTF_8);

        // when: it runs with nobody attending and no decision
        CliRun stopped = PlainRuns.run(dir, runbook);

        // then: stopped at a safe point once the rate was known (three batches), resumable, saying how to go on
        assertThat(stopped.exitCode()).as(stopped.out() + stopped.err()).isEqualTo(4);
        assertThat(stopped.out())
                .contains("but the window ended at 2020-01-01T00:00:00Z")
                .contains("--decide fill=continue:REASON");
        assertThat(EngineDatabase.queryLong("select count(*) from wq_fill where n = 1"))
                .isEqualTo(1200);
        assertThat(PlainRuns.status("T-wq").get("progress").get("rows_done").asLong())
                .as("the progress where it asked, not its last 5-second report")
                .isEqualTo(1200);

        // when: run again with the decision to go on gently
        CliRun resumed = PlainRuns.run(dir, runbook, "--decide", "fill=throttle:change manager extended the window");

        // then: it resumed where it stopped, went on with half-size batches, every row exactly once, and the
        // decision is in the timeline with its reason and where it came from
        assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isZero();
        assertThat(resumed.out()).contains("past the window with half-size batches, as the operator chose: 200 keys");
        assertThat(EngineDatabase.queryLong("select count(*) from wq_fill where n = 1"))
                .isEqualTo(4000);
        assertThat(EngineDatabase.queryLong("select count(*) from wq_fill where n <> 1"))
                .isZero();
        assertThat(PlainRuns.status("T-wq").get("progress").get("batch_size").asInt())
                .as("the progress shows the half-size batches it runs, not the planned size: " + resumed.out())
                .isEqualTo(200);
        String timelines = PlainRuns.timelines(dir, "T-wq");
        assertThat(timelines).contains("change manager extended the window").contains("given with --decide");
    }

    @Test
    void aDecisionForTheWindowDoesNotAnswerTheStepsFailure() throws Exception {
        // given: a backfill that fails at its first batch, in a window that ended
        EngineDatabase.execute(
                "drop table if exists wq_fail",
                "create table wq_fail (id int primary key, n int not null default 0 check (n < 1))",
                "insert into wq_fail (id) select g from generate_series(1, 50) g");
        Path runbook = dir.resolve("wq-fail.yaml");
        Files.writeString(
                runbook,
                """
                lockstep: 1
                id: T-wq-fail
                title: a failing backfill past its window
                owner: tests
                intent: prove that a window decision is not read as a failure's
                change: { class: R2, phase: expand }
                window: { ends_at: "2020-01-01T00:00:00Z" }
                steps:
                  - id: fill
                    kind: backfill
                    table: wq_fail
                    key: id
                    batch: { size: 100 }
                    sql: update wq_fail set n = n + 1 where id > :from and id <= :to
                    verify: { sql: "select count(*) from wq_fail where n <> 1", expect: { equals: 0 } }
                """,
                StandardCharsets.UTF_8);

        // when: it runs with a decision that answers only the window question
        CliRun failed = PlainRuns.run(dir, runbook, "--decide", "fill=continue:window extended");

        // then: the failure is left undecided (exit 1, options listed), not continued past
        assertThat(failed.exitCode()).as(failed.out() + failed.err()).isEqualTo(1);
        assertThat(failed.out()).contains("check-violation");
        assertThat(EngineDatabase.queryLong("select count(*) from wq_fail where n <> 0"))
                .isZero();
    }
}
