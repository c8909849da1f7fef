package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.ExitCode;
import dev.lockstep.Poll;
import dev.lockstep.cli.CliRun;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * R5's two-person rule as two people live it: the operator approves the gate step, the run waits, and a second
 * person approves from their own terminal under another OS user with {@code lockstep approve} (a real process;
 * the JVM's standard {@code user.name} property is the OS user a process reports, so the test starts that
 * process with {@code -Duser.name=bob}). The same OS user, a step nobody waits at and an empty reason are refused.
 */
@ExtendWith(SandboxExtension.class)
class SecondApproverTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    @BeforeAll
    static void database(Sandbox sandbox) {
        EngineDatabase.use(sandbox);
    }

    private static Path runbook(String id, String table) throws IOException {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %s
                title: drop a retired column
                owner: tests
                intent: prove that an R5 gate waits for a second approver under another OS user
                change: { class: R5, phase: contract }
                steps:
                  - id: old-versions-gone
                    kind: check
                    precondition: true
                    sql: select 0
                    expect: { equals: 0 }
                  - id: backup
                    kind: approval
                    prompt: Backup id of %s?
                    evidence: backup
                  - id: go
                    kind: approval
                    prompt: Drop %s.legacy for good?
                    confirm: typed
                  - id: drop-legacy
                    kind: sql
                    sql: alter table %s drop column legacy
                    verify:
                      sql: select count(*) from information_schema.columns where table_name = '%s' and column_name = 'legacy'
                      expect: { equals: 0 }
                """
                        .formatted(id, table, table, table, table),
                StandardCharsets.UTF_8);
        return file;
    }

    private static CliRun run(Path runbook, String... more) {
        return PlainRuns.run(dir, runbook, more);
    }

    /** {@code lockstep approve} as OS user {@code user}, in its own process, as from another terminal. */
    private static Process approveAs(String user, String runbookId, String step, String reason, Path log)
            throws IOException {
        return new ProcessBuilder(LockstepProcess.command(
                        List.of("-Duser.name=" + user),
                        List.of("approve", "--db", EngineDatabase.uri(), runbookId, step, "--reason", reason)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    private static int exitOf(Process process) throws InterruptedException {
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("approve ended").isTrue();
        return process.exitValue();
    }

    private static String timelines(String runbookId) throws IOException {
        return PlainRuns.timelines(dir, runbookId);
    }

    private static long legacyColumns(String table) throws Exception {
        return EngineDatabase.queryLong("select count(*) from information_schema.columns where table_name = '" + table
                + "' and column_name = 'legacy'");
    }

    @Test
    void anUnattendedRunStopsAtTheGateUntilAnotherOsUserApproves() throws Exception {
        // given: an R5 runbook run unattended with the operator's approvals on the command line
        EngineDatabase.execute(
                "drop table if exists sa_unattended", "create table sa_unattended (id int, legacy text)");
        Path runbook = runbook("T-sa-unattended", "sa_unattended");
        String me = System.getProperty("user.name");

        // when
        CliRun first = run(runbook, "--approve", "backup=backup 42 restored", "--approve", "go=window agreed");
        JsonNode waiting = PlainRuns.status("T-sa-unattended");
        CliRun plainStatus = CliRun.of("status", "--db", EngineDatabase.uri());

        // then: stopped resumable at the gate, saying who may approve and how; nothing dropped
        assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(ExitCode.STOPPED.code());
        assertThat(first.out())
                .contains("go waits for a second approver")
                .contains("another OS user than " + me)
                .contains("lockstep approve --db postgresql://")
                .contains("T-sa-unattended go --reason ...");
        assertThat(legacyColumns("sa_unattended")).isEqualTo(1);
        assertThat(waiting.get("state").asText()).isEqualTo("stopped");
        assertThat(waiting.get("waiting_for").get("kind").asText()).isEqualTo("second_approval");
        assertThat(waiting.get("waiting_for").get("step").asText()).isEqualTo("go");
        assertThat(waiting.get("waiting_for").get("first_approver").asText()).startsWith(me + "@");
        assertThat(waiting.get("waiting_for").get("command").asText())
                .startsWith("lockstep approve --db postgresql://")
                .endsWith("T-sa-unattended go --reason ...");
        assertThat(plainStatus.out())
                .contains("waits for a second approver at go (another OS user than " + me + "), who runs:")
                .contains("    lockstep approve --db postgresql://");

        // when: the same OS user tries to be the second approver, a step nobody waits at, an empty reason
        CliRun sameUser =
                CliRun.of("approve", "--db", EngineDatabase.uri(), "T-sa-unattended", "go", "--reason", "me again");
        CliRun wrongStep =
                CliRun.of("approve", "--db", EngineDatabase.uri(), "T-sa-unattended", "drop-legacy", "--reason", "ok");
        CliRun noRun = CliRun.of("approve", "--db", EngineDatabase.uri(), "T-sa-nobody", "go", "--reason", "ok");
        CliRun emptyReason =
                CliRun.of("approve", "--db", EngineDatabase.uri(), "T-sa-unattended", "go", "--reason", " ");
        CliRun stillStopped = run(runbook, "--approve", "backup=backup 42 restored", "--approve", "go=window agreed");

        // then: each refused, nothing recorded, and the run still waits
        assertThat(sameUser.exitCode()).as(sameUser.err()).isEqualTo(1);
        assertThat(sameUser.err())
                .contains("OS user " + me + " gave the first approval of step go")
                .contains("nothing was approved");
        assertThat(wrongStep.exitCode()).as(wrongStep.err()).isEqualTo(1);
        assertThat(wrongStep.err()).contains("step drop-legacy of run").contains("does not wait for a second approver");
        assertThat(noRun.exitCode()).as(noRun.err()).isEqualTo(1);
        assertThat(noRun.err()).contains("no run of runbook T-sa-nobody");
        assertThat(emptyReason.exitCode()).as(emptyReason.err()).isEqualTo(2);
        assertThat(stillStopped.exitCode()).as(stillStopped.out()).isEqualTo(ExitCode.STOPPED.code());
        assertThat(legacyColumns("sa_unattended")).isEqualTo(1);

        // when: bob approves from his own terminal, and the operator runs the same command again
        Path log = dir.resolve("approve-bob.log");
        int approved = exitOf(approveAs("bob", "T-sa-unattended", "go", "second pair of eyes: backup 42 checked", log));
        JsonNode after = PlainRuns.status("T-sa-unattended");
        CliRun resumed = run(runbook, "--approve", "backup=backup 42 restored", "--approve", "go=window agreed");

        // then: the run goes on past the gate, and the timeline names both approvers
        assertThat(approved).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("approved step go of run").contains("as bob@");
        assertThat(after.get("waiting_for").isNull()).isTrue();
        assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isZero();
        assertThat(legacyColumns("sa_unattended")).isZero();
        String timeline = timelines("T-sa-unattended");
        assertThat(timeline)
                .contains("\"type\":\"approval\",\"actor\":\"operator:bob@")
                .contains("\"how\":\"lockstep approve\"")
                .contains("second pair of eyes: backup 42 checked")
                .contains("\"how\":\"command-line\",\"reason\":\"window agreed\"")
                .contains("\"evidence\":\"backup\",\"how\":\"command-line\",\"reason\":\"backup 42 restored\"");

        // when: the auditor makes the evidence bundle
        Path bundle = dir.resolve("evidence-unattended");
        CliRun evidence = CliRun.of(
                "evidence", PlainRuns.timelineFile(dir, "T-sa-unattended").toString(), "--out", bundle.toString());

        // then: the backup's proof is named, with who gave it and why; the gate's approval is not a proof
        assertThat(evidence.exitCode()).as(evidence.out() + evidence.err()).isZero();
        JsonNode proofs =
                JSON.readTree(Files.readString(bundle.resolve("evidence.json"))).get("backup_evidence");
        assertThat(proofs).hasSize(1);
        assertThat(proofs.get(0).get("step").asText()).isEqualTo("backup");
        assertThat(proofs.get(0).get("body").get("reason").asText()).isEqualTo("backup 42 restored");
        assertThat(Files.readString(bundle.resolve("report.md")))
                .contains("| Backup evidence | step backup approved by " + me + "@");
    }

    @Test
    void anAttendedRunWaitsAtTheGateAndGoesOnWhenTheSecondApprovalLands() throws Exception {
        // given: an operator at a terminal who approves every approval step
        EngineDatabase.execute("drop table if exists sa_attended", "create table sa_attended (id int, legacy text)");
        RunPlan plan = RunPlans.of(
                RunbookLoader.load(runbook("T-sa-attended", "sa_attended"), java.util.Map.of()), Instant.now());
        List<EngineEvent> events = new CopyOnWriteArrayList<>();
        Operator operator = new Operator() {
            public boolean attended() {
                return true;
            }

            public Optional<Answer> ask(Question question) {
                return Optional.of(new Answer("approve", "alice@console", "looked at it"));
            }
        };
        RunEngine engine = new RunEngine(
                EngineDatabase::connect,
                events::add,
                operator,
                () -> Directive.NONE,
                RunEngine.Options.defaults(),
                new Holder("alice", "console", 4242));

        // when
        CompletableFuture<RunResult> result = CompletableFuture.supplyAsync(() -> {
            try {
                return engine.run(plan);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        EngineEvent.ApprovalAwaited awaited = Poll.until(
                        DEADLINE,
                        () -> events.stream()
                                .filter(EngineEvent.ApprovalAwaited.class::isInstance)
                                .map(EngineEvent.ApprovalAwaited.class::cast)
                                .findFirst(),
                        Optional::isPresent,
                        "the run waiting for a second approver")
                .get();
        JsonNode waiting = PlainRuns.status("T-sa-attended");

        // then: it waits at the gate, nothing dropped, and says what the second person runs
        assertThat(awaited.step()).isEqualTo("go");
        assertThat(awaited.firstApprover()).isEqualTo("alice@console");
        assertThat(awaited.command())
                .matches("lockstep approve --db postgresql://[^ ]+ T-sa-attended go --reason \\.\\.\\.");
        assertThat(waiting.get("state").asText()).isEqualTo("running");
        assertThat(waiting.get("waiting_for").get("step").asText()).isEqualTo("go");
        assertThat(result).isNotDone();
        assertThat(legacyColumns("sa_attended")).isEqualTo(1);

        // when: alice herself cannot; bob can
        Path aliceLog = dir.resolve("approve-alice.log");
        int alice = exitOf(approveAs("alice", "T-sa-attended", "go", "me too", aliceLog));
        Path bobLog = dir.resolve("approve-bob-attended.log");
        int bob = exitOf(approveAs("bob", "T-sa-attended", "go", "checked the backup", bobLog));
        RunResult ended = result.get(60, TimeUnit.SECONDS);

        // then
        assertThat(alice).as(Files.readString(aliceLog)).isEqualTo(1);
        assertThat(Files.readString(aliceLog)).contains("OS user alice gave the first approval");
        assertThat(bob).as(Files.readString(bobLog)).isZero();
        assertThat(ended.exitCode()).as(ended.message()).isEqualTo(ExitCode.DONE);
        assertThat(legacyColumns("sa_attended")).isZero();
        assertThat(events)
                .filteredOn(EngineEvent.ApprovalGiven.class::isInstance)
                .map(EngineEvent.ApprovalGiven.class::cast)
                .extracting(given -> given.step() + " " + given.source() + " "
                        + given.actor().split("@")[0])
                .containsExactly("backup prompt alice", "go prompt alice", "go lockstep approve bob");
    }
}
