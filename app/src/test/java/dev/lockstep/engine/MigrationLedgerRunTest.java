package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockstep.cli.CliRun;
import dev.lockstep.sandbox.LedgerTables;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration tools' ledgers on the target database, planted for real with the tools' own table layouts: a
 * Flyway history with a failed row and a stuck Liquibase lock stop an unattended run before its first step
 * (exit 4) unless acknowledged; the {@code ledger} step asserts the version and no failed entries; the stuck
 * lock is released only when no session of its holder's host is connected.
 */
@ExtendWith(SandboxExtension.class)
class MigrationLedgerRunTest {

    private static final String FLYWAY = "ldg_flyway";
    private static final String LIQUIBASE = "ldg_liquibase";

    @TempDir
    static Path dir;

    @BeforeAll
    static void database(Sandbox sandbox) {
        EngineDatabase.use(sandbox);
    }

    @AfterEach
    void dropTheLedgers() throws Exception {
        // every other test's run would meet them at its start
        EngineDatabase.execute(
                LedgerTables.drop(FLYWAY), LedgerTables.drop(LIQUIBASE), "drop table if exists ldg_marker");
    }

    private static Path runbook(String id, String steps) throws IOException {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %s
                title: a change on a database a migration tool also manages
                owner: tests
                intent: prove that the tools' ledgers are checked before anything changes
                change: { class: R1, phase: expand }
                steps:
                %s
                """
                        .formatted(id, steps.indent(2).stripTrailing()),
                StandardCharsets.UTF_8);
        return file;
    }

    private static final String MARKER =
            """
            - id: add-marker
              kind: sql
              sql: create table ldg_marker (id int)
            """;

    private static CliRun run(Path runbook, String... more) {
        return PlainRuns.run(dir, runbook, more);
    }

    private static boolean markerExists() throws Exception {
        return EngineDatabase.queryLong("select count(*) from pg_class where relname = 'ldg_marker'") == 1;
    }

    private static String timelines(String runbookId) throws IOException {
        return PlainRuns.timelines(dir, runbookId);
    }

    private static void flywayWithFailedRow() throws Exception {
        EngineDatabase.execute(LedgerTables.flyway(FLYWAY));
        EngineDatabase.execute(
                LedgerTables.flywayRow(FLYWAY, 1, "1", "create account", true),
                LedgerTables.flywayRow(FLYWAY, 2, "2", "add email", true),
                LedgerTables.flywayRow(FLYWAY, 3, "3", "add email index", false));
    }

    @Test
    void aFailedFlywayRowStopsAnUnattendedRunBeforeItsFirstStepUntilDecided() throws Exception {
        // given: Flyway's V3 failed on this database
        flywayWithFailedRow();
        Path runbook = runbook("ldg-flyway-failed", MARKER);

        // when: unattended, nothing acknowledges it
        CliRun stopped = run(runbook);

        // then: classified with its facts, nothing ran, exit 4
        assertThat(stopped.exitCode()).as(stopped.out() + stopped.err()).isEqualTo(4);
        assertThat(stopped.out() + stopped.err())
                .contains("ledger-failed")
                .contains("flyway in " + FLYWAY)
                .contains("3 add email index (V3__add_email_index.sql)")
                .contains("--decide ledger:flyway=OPTION:REASON")
                .contains("available: acknowledge, abort");
        assertThat(markerExists()).isFalse();
        JsonNode kept = PlainRuns.status("ldg-flyway-failed").get("failure");
        assertThat(kept.get("class").asText()).isEqualTo("ledger-failed");
        assertThat(kept.get("step").asText()).isEqualTo("ledger:flyway");

        // when: a release is asked for a Flyway finding, it is not taken
        CliRun refused = run(runbook, "--decide", "ledger:flyway=repair:try it");
        assertThat(refused.exitCode()).isEqualTo(4);
        assertThat(refused.out() + refused.err()).contains("--decide ledger:flyway=repair was not taken");
        assertThat(markerExists()).isFalse();

        // when: acknowledged with --decide
        CliRun acknowledged = run(runbook, "--decide", "ledger:flyway=acknowledge:V3 is repaired by the app team");

        // then: the decision is recorded before the first step, and the run goes on
        assertThat(acknowledged.exitCode())
                .as(acknowledged.out() + acknowledged.err())
                .isZero();
        assertThat(markerExists()).isTrue();
        assertThat(PlainRuns.status("ldg-flyway-failed").get("failure").isNull())
                .isTrue();
        String timeline = timelines("ldg-flyway-failed");
        assertThat(timeline).contains("\"class\":\"ledger-failed\"").contains("\"name\":\"failed_entry\"");
        assertThat(timeline.indexOf("V3 is repaired by the app team"))
                .isPositive()
                .isLessThan(timeline.lastIndexOf("add-marker"));
    }

    @Test
    void aFindingRepairedOutsideLockstepLeavesNothingInTheRunRow() throws Exception {
        // given: a run stopped before its first step by Flyway's failed V3, kept in the run row
        flywayWithFailedRow();
        Path runbook = runbook("ldg-flyway-repaired", MARKER);
        CliRun stopped = run(runbook);
        assertThat(stopped.exitCode()).as(stopped.out() + stopped.err()).isEqualTo(4);
        assertThat(PlainRuns.status("ldg-flyway-repaired")
                        .get("failure")
                        .get("class")
                        .asText())
                .isEqualTo("ledger-failed");

        // when: the app team repairs the history (Flyway's repair deletes the failed row), and the run goes again
        EngineDatabase.execute("delete from " + FLYWAY + ".flyway_schema_history where not success");
        CliRun again = run(runbook);

        // then: nothing to decide any more: the run goes on and its row no longer keeps the finding
        assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
        assertThat(markerExists()).isTrue();
        assertThat(PlainRuns.status("ldg-flyway-repaired").get("failure").isNull())
                .isTrue();
    }

    @Test
    void theLedgerStepAssertsTheVersionAndNoFailedEntries() throws Exception {
        // given: Flyway at version 2, nothing failed
        EngineDatabase.execute(LedgerTables.flyway(FLYWAY));
        EngineDatabase.execute(
                LedgerTables.flywayRow(FLYWAY, 1, "1", "create account", true),
                LedgerTables.flywayRow(FLYWAY, 2, "2", "add email", true));

        // when / then: the step expecting 2 passes
        CliRun passed = run(runbook(
                "ldg-step-pass",
                """
                - id: flyway-at-2
                  kind: ledger
                  tool: flyway
                  expect_version: "2"
                """
                        + MARKER));
        assertThat(passed.exitCode()).as(passed.out() + passed.err()).isZero();
        assertThat(markerExists()).isTrue();

        // when / then: the step expecting 3 fails as a failed check with expected and got
        CliRun wrongVersion = run(runbook(
                "ldg-step-version",
                """
                - id: flyway-at-3
                  kind: ledger
                  tool: flyway
                  schema: %s
                  expect_version: "3"
                """
                        .formatted(FLYWAY)));
        assertThat(wrongVersion.exitCode())
                .as(wrongVersion.out() + wrongVersion.err())
                .isEqualTo(1);
        assertThat(wrongVersion.out())
                .contains("post-check-failed")
                .contains("expected flyway in " + FLYWAY + " at version 3, got 2");

        // when: V3 failed, the runbook acknowledges it for the start but its step still asserts no failures
        EngineDatabase.execute(LedgerTables.flywayRow(FLYWAY, 3, "3", "add email index", false));
        CliRun failedEntry = run(
                runbook(
                        "ldg-step-failed",
                        """
                - id: flyway-at-2
                  kind: ledger
                  tool: flyway
                  expect_version: "2"
                  acknowledge: the app team repairs V3 before this window
                """));

        // then: the start goes on (acknowledged by the runbook), the step fails as ledger-failed
        assertThat(failedEntry.exitCode())
                .as(failedEntry.out() + failedEntry.err())
                .isEqualTo(1);
        assertThat(failedEntry.out())
                .contains("ledger-failed")
                .contains("1 failed entry in flyway in " + FLYWAY + ": 3 add email index");
        assertThat(timelines("ldg-step-failed"))
                .contains("acknowledged by runbook step flyway-at-2")
                .contains("the app team repairs V3 before this window");
    }

    @Test
    void aStuckLiquibaseLockIsReleasedOnlyWhenNoSessionOfItsHostIsAlive() throws Exception {
        // given: a Liquibase lock taken two hours ago by a host with no session left
        EngineDatabase.execute(LedgerTables.liquibase(LIQUIBASE));
        EngineDatabase.execute(LedgerTables.liquibaseLocked(LIQUIBASE, "ci-runner-7 (10.254.1.7)", "2 hours"));
        Path runbook = runbook("ldg-liquibase-lock", MARKER);

        // when: unattended
        CliRun stopped = run(runbook);

        // then: ledger-locked, holder and age and liveness shown, release offered; nothing ran
        assertThat(stopped.exitCode()).as(stopped.out() + stopped.err()).isEqualTo(4);
        assertThat(stopped.out() + stopped.err())
                .contains("ledger-locked")
                .contains("ci-runner-7 (10.254.1.7)")
                .contains("holder gone")
                .contains("available: acknowledge, repair, abort");
        assertThat(markerExists()).isFalse();

        // when: the release is decided
        CliRun released = run(runbook, "--decide", "ledger:liquibase=repair:ci-runner-7 was killed mid-deploy");

        // then: the lock is free, the release recorded, and the run went on
        assertThat(released.exitCode()).as(released.out() + released.err()).isZero();
        assertThat(EngineDatabase.queryString(
                        "select locked::text || coalesce(lockedby, '-') from " + LIQUIBASE + ".databasechangeloglock"))
                .isEqualTo("false-");
        assertThat(markerExists()).isTrue();
        assertThat(timelines("ldg-liquibase-lock"))
                .contains("ci-runner-7 was killed mid-deploy")
                .contains("released the Liquibase lock in " + LIQUIBASE + " held by ci-runner-7 (10.254.1.7)");
    }

    @Test
    void theReleaseIsRefusedWhileASessionOfTheHoldersHostIsConnected() throws Exception {
        // given: the lock's holder is this host, and a session from it (Liquibase still migrating) is open
        EngineDatabase.execute(LedgerTables.liquibase(LIQUIBASE));
        EngineDatabase.execute(LedgerTables.liquibaseLocked(LIQUIBASE, "deploy-host (127.0.0.1)", "5 minutes"));
        Path runbook = runbook("ldg-liquibase-alive", MARKER);
        Properties liquibase = new Properties();
        liquibase.setProperty("ApplicationName", "liquibase-update");
        try (Connection holder = DriverManager.getConnection(EngineDatabase.jdbcUrl(), liquibase)) {
            assertThat(holder.isValid(2)).isTrue();

            // when: the release is decided in advance
            CliRun refused = run(runbook, "--decide", "ledger:liquibase=repair:looks stuck");

            // then: not taken, the lock stays, nothing ran
            assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(4);
            assertThat(refused.out() + refused.err())
                    .contains("--decide ledger:liquibase=repair was not taken")
                    .contains("a session of the lock's holder is connected")
                    .contains("application 'liquibase-update'");
            assertThat(EngineDatabase.queryString("select locked::text from " + LIQUIBASE + ".databasechangeloglock"))
                    .isEqualTo("true");
            assertThat(markerExists()).isFalse();
        }
    }

    @Test
    void anAttendedRunAsksBeforeTheFirstStepAndConfirmsTheRelease() throws Exception {
        // given: a stuck Liquibase lock, and an operator at the screen who chooses the release, then confirms it
        EngineDatabase.execute(LedgerTables.liquibase(LIQUIBASE));
        EngineDatabase.execute(LedgerTables.liquibaseLocked(LIQUIBASE, "ci-runner-9 (10.254.1.9)", "40 minutes"));
        List<Question> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        Operator operator = new Operator() {
            public boolean attended() {
                return true;
            }

            public java.util.Optional<Answer> ask(Question question) {
                asked.add(question);
                return java.util.Optional.of(
                        question.kind() == Question.Kind.FAILURE
                                ? new Answer("repair", "alice@bastion", "ci-runner-9 was decommissioned")
                                : new Answer("approve", "alice@bastion", "confirmed"));
            }
        };
        List<EngineEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        StepPlan.Sql marker = new StepPlan.Sql(
                "add-marker",
                "create table ldg_marker (id int)",
                java.time.Duration.ofSeconds(2),
                java.time.Duration.ZERO,
                1,
                new Backoff(java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(200)),
                java.util.Set.of(),
                null,
                null);

        // when
        RunResult result = new RunEngine(
                        EngineDatabase::connect,
                        events::add,
                        operator,
                        () -> Directive.NONE,
                        RunEngine.Options.defaults(),
                        new Holder("tester", "testhost", 4242))
                .run(new RunPlan("ldg-attended", "0".repeat(64), null, List.of(marker)));

        // then: asked about ledger-locked before the step, with the release available, then asked to confirm
        assertThat(result.state()).as(result.message()).isEqualTo(RunState.DONE);
        assertThat(asked).extracting(Question::kind).containsExactly(Question.Kind.FAILURE, Question.Kind.APPROVAL);
        assertThat(asked.get(0).failure().failure().failureClass().id()).isEqualTo("ledger-locked");
        assertThat(asked.get(0).failure().failure().fact("holder_alive")).startsWith("gone: ");
        assertThat(asked.get(0).choices())
                .filteredOn(choice -> choice.id().equals("repair"))
                .singleElement()
                .satisfies(choice -> assertThat(choice.available()).isTrue());
        // the decision is recorded before the release, the release before the first step
        List<String> order = events.stream()
                .map(event -> event instanceof EngineEvent.DecisionMade decision
                        ? "decide " + decision.decision()
                        : event instanceof EngineEvent.Recovered recovered
                                ? "recovered " + recovered.detail()
                                : event instanceof EngineEvent.StepStarted started ? "step " + started.step() : "")
                .filter(text -> !text.isEmpty())
                .toList();
        assertThat(order.get(0)).isEqualTo("decide repair");
        assertThat(order.get(1)).isEqualTo("decide approve");
        assertThat(order.get(2)).startsWith("recovered released the Liquibase lock in " + LIQUIBASE);
        assertThat(order.get(3)).isEqualTo("step add-marker");
        assertThat(EngineDatabase.queryString("select locked::text from " + LIQUIBASE + ".databasechangeloglock"))
                .isEqualTo("false");
    }
}
