package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.cli.CliRun;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's promises tested the way they are broken in production: a real {@code lockstep run}
 * process, killed with SIGKILL, its session terminated by the server, a second runner started next to it.
 */
@ExtendWith(SandboxExtension.class)
class RunProcessTest {

    private static final int ROWS = 200_000;

    @TempDir
    static Path dir;

    private static String dbUri;

    @BeforeAll
    static void database(Sandbox sandbox) throws Exception {
        EngineDatabase.use(sandbox);
        try (var connection = EngineDatabase.connect()) {
            LockstepSchema.defaultSchema().ensure(connection);
        }
        dbUri = EngineDatabase.uri();
    }

    private static Path runbook(String id, String table, int batch, String pause) throws IOException {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %s
                title: count every row once
                owner: tests
                intent: a backfill that is not idempotent, to prove exactly-once
                change: { class: R2, phase: migrate }
                steps:
                  - id: fill
                    kind: backfill
                    table: %s
                    key: id
                    batch: { size: %d, pause: %s }
                    sql: update %s set n = n + 1 where id > :from and id <= :to
                    verify:
                      sql: select count(*) from %s where n <> 1
                      expect: { equals: 0 }
                """
                        .formatted(id, table, batch, pause, table, table),
                StandardCharsets.UTF_8);
        return file;
    }

    private static Process start(Path runbook, Path log, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                "run",
                runbook.toString(),
                "--db",
                dbUri,
                "--plain",
                "--timeline",
                dir.resolve("timeline").toString(),
                "--unsigned"));
        command.addAll(List.of(extra));
        return LockstepProcess.start(log, command);
    }

    private static void awaitBatches(String runbookId, long atLeast, Process process) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (EngineDatabase.committedBatches(runbookId) < atLeast) {
            assertThat(process.isAlive())
                    .as("the run ended before batch " + atLeast)
                    .isTrue();
            assertThat(System.nanoTime()).as("waiting for batch " + atLeast).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void sigkillAtThreeMomentsNeitherSkipsNorRepeatsAnyBatch() throws Exception {
        // given
        EngineDatabase.counterTable("crash_t", ROWS);
        Path runbook = runbook("T-crash", "crash_t", 5000, "20ms");
        Path log = dir.resolve("crash.log");

        // when: killed after 2, 12 and 25 of the 40 batches, then run to the end
        for (long killAt : new long[] {2, 12, 25}) {
            Process run = start(runbook, log);
            awaitBatches("T-crash", killAt, run);
            run.destroyForcibly();
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        Process last = start(runbook, log);
        assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();

        // then
        String output = Files.readString(log);
        assertThat(last.exitValue()).as(output).isZero();
        assertThat(EngineDatabase.queryLong("select count(*) from crash_t where n = 1"))
                .isEqualTo(ROWS);
        assertThat(EngineDatabase.queryLong("select count(*) from crash_t where n <> 1"))
                .isZero();
        assertThat(output).contains("took over from");
    }

    /**
     * Without a pause between batches, the batches after the first run inside the server-side driver, a slice at
     * a time: a kill lands while a slice runs, and the server may go on with it until it notices the client is
     * gone. The session that runs it holds the lease until then, so the next run starts once it ended.
     */
    @Test
    void sigkillWhileTheServerRunsASliceNeitherSkipsNorRepeatsAnyBatch() throws Exception {
        // given
        EngineDatabase.counterTable("slice_t", 2 * ROWS);
        Path runbook = runbook("T-slice", "slice_t", 1000, "0ms");
        Path log = dir.resolve("slice.log");

        // when: killed after 20, 150 and 300 of the 400 batches, then run to the end
        for (long killAt : new long[] {20, 150, 300}) {
            Process run = start(runbook, log);
            awaitBatches("T-slice", killAt, run);
            run.destroyForcibly();
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
            awaitNoSlice();
        }
        Process last = start(runbook, log);
        assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();

        // then
        String output = Files.readString(log);
        assertThat(last.exitValue()).as(output).isZero();
        assertThat(EngineDatabase.queryLong("select count(*) from slice_t where n = 1"))
                .isEqualTo(2 * ROWS);
        assertThat(EngineDatabase.queryLong("select count(*) from slice_t where n <> 1"))
                .isZero();
        assertThat(output).contains("took over from");
    }

    /** Until no session runs a slice any more (a killed client's call ends when its server notices). */
    private static void awaitNoSlice() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (EngineDatabase.queryLong("select count(*) from pg_stat_activity where pid <> pg_backend_pid()"
                        + " and query like 'call lockstep.backfill_slice_v1(%'")
                > 0) {
            assertThat(System.nanoTime())
                    .as("waiting for the orphaned slice to end")
                    .isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void aSecondRunIsRefusedNamingTheHolder() throws Exception {
        EngineDatabase.counterTable("second_t", ROWS);
        Path runbook = runbook("T-second", "second_t", 2000, "50ms");
        Path log = dir.resolve("first.log");
        Process first = start(runbook, log);
        try {
            awaitBatches("T-second", 1, first);
            Path secondLog = dir.resolve("second.log");
            Process second = start(runbook, secondLog);
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();

            String refusal = Files.readString(secondLog);
            assertThat(second.exitValue()).as(refusal).isEqualTo(4);
            assertThat(refusal)
                    .contains("already running")
                    .contains("pid " + first.pid())
                    .contains("since");
        } finally {
            first.destroyForcibly();
            first.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void terminatedControlSessionReconnectsAndAppliesEveryBatchOnce() throws Exception {
        EngineDatabase.counterTable("term_t", ROWS);
        Path runbook = runbook("T-term", "term_t", 5000, "30ms");
        Path log = dir.resolve("term.log");
        Process run = start(runbook, log);
        awaitBatches("T-term", 5, run);
        assertThat(EngineDatabase.queryLong("select count(pg_terminate_backend(pid)) from pg_stat_activity"
                        + " where application_name = 'lockstep-control'"))
                .isEqualTo(1);
        awaitBatches("T-term", 15, run);
        assertThat(EngineDatabase.queryLong("select count(pg_terminate_backend(pid)) from pg_stat_activity"
                        + " where application_name = 'lockstep-control'"))
                .isEqualTo(1);
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();

        String output = Files.readString(log);
        assertThat(run.exitValue()).as(output).isZero();
        assertThat(output).contains("recover reconnected");
        assertThat(EngineDatabase.queryLong("select count(*) from term_t where n <> 1"))
                .isZero();
    }

    @Test
    void statusShowsTheStepOfABackfillAndAKilledHolderAsGoneWithTheAge() throws Exception {
        // given: a backfill in flight
        EngineDatabase.counterTable("status_t", ROWS);
        Path runbook = runbook("T-status", "status_t", 2000, "50ms");
        Path log = dir.resolve("status.log");
        Process run = start(runbook, log);
        JsonNode running;
        try {
            awaitBatches("T-status", 3, run);

            // when
            CliRun text = CliRun.of("status", "--db", dbUri);
            running = statusOf("T-status");

            // then: the step in flight, and the holder is there
            assertThat(text.exitCode()).as(text.err()).isZero();
            assertThat(line(text.out(), "T-status"))
                    .contains(" fill ")
                    .contains(running.get("holder").asText() + " pid " + run.pid())
                    .doesNotContain("gone");
            assertThat(running.get("state").asText()).isEqualTo("running");
            assertThat(running.get("current_step").asText()).isEqualTo("fill");
            assertThat(running.get("holder_gone").asBoolean()).isFalse();
            assertThat(running.get("pid").asLong()).isEqualTo(run.pid());
        } finally {
            run.destroyForcibly();
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        // once its session is gone (the server notices the closed socket), so is its lease
        long lease = RunLease.lockKey("T-status");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (EngineDatabase.queryLong("select count(*) from pg_locks where locktype = 'advisory' and granted"
                        + " and ((classid::bigint << 32) | objid::bigint) = " + lease)
                > 0) {
            assertThat(System.nanoTime())
                    .as("waiting for the killed run's session to end")
                    .isLessThan(deadline);
            Thread.sleep(10);
        }

        // when
        CliRun text = CliRun.of("status", "--db", dbUri);
        JsonNode killed = statusOf("T-status");

        // then: the row still says running at step fill, and status says its holder is gone and since when
        assertThat(killed.get("state").asText()).isEqualTo("running");
        assertThat(killed.get("current_step").asText()).isEqualTo("fill");
        assertThat(killed.get("holder_gone").asBoolean()).isTrue();
        long age = killed.get("heartbeat_age_seconds").asLong();
        assertThat(age).isNotNegative();
        assertThat(line(text.out(), "T-status"))
                .contains(" fill ")
                .containsPattern(Pattern.quote("gone (" + killed.get("holder").asText() + " pid " + run.pid() + ")")
                        + " +seen \\d+s ago");
        // and every field is the one docs/operations.md documents, in its order
        assertThat(killed.fieldNames()).toIterable().containsExactlyElementsOf(documentedStatusFields());
    }

    /** The first column of the field table under "### `status --json`" in docs/operations.md. */
    private static List<String> documentedStatusFields() throws IOException {
        String docs = Files.readString(Path.of(System.getProperty("lockstep.repo.root"), "docs", "operations.md"));
        String section = docs.substring(docs.indexOf("### `status --json`"));
        List<String> fields = new ArrayList<>();
        for (String row : section.lines().toList()) {
            if (row.startsWith("| `")) {
                fields.add(row.substring(3, row.indexOf('`', 3)));
            } else if (!fields.isEmpty()) {
                break;
            }
        }
        return fields;
    }

    /** The run of {@code runbookId} in {@code status --json}. */
    private static JsonNode statusOf(String runbookId) throws IOException {
        CliRun json = CliRun.of("status", "--db", dbUri, "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        for (JsonNode run : new ObjectMapper().readTree(json.out()).get("runs")) {
            if (run.get("runbook_id").asText().equals(runbookId)) {
                return run;
            }
        }
        throw new AssertionError("no run of " + runbookId + " in " + json.out());
    }

    /** A run's two status lines, joined: the runbook and run id, then state, step, holder and heartbeat. */
    private static String line(String output, String runbookId) {
        List<String> lines = output.lines().toList();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).contains(runbookId)) {
                return lines.get(i) + " " + lines.get(i + 1);
            }
        }
        throw new AssertionError("no lines for " + runbookId + " in\n" + output);
    }

    @Test
    void sigintStopsAtASafePointResumably() throws Exception {
        EngineDatabase.counterTable("int_t", ROWS);
        Path runbook = runbook("T-int", "int_t", 5000, "30ms");
        Path log = dir.resolve("int.log");
        Process run = start(runbook, log);
        awaitBatches("T-int", 3, run);
        new ProcessBuilder("kill", "-INT", Long.toString(run.pid())).start().waitFor();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        assertThat(run.exitValue()).as(output).isEqualTo(4);
        assertThat(output).contains("SIGINT received");
        assertThat(EngineDatabase.queryLong("select count(*) from int_t where n = 0"))
                .isPositive();

        Process resume = start(runbook, log);
        assertThat(resume.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(resume.exitValue()).as(Files.readString(log)).isZero();
        assertThat(EngineDatabase.queryLong("select count(*) from int_t where n <> 1"))
                .isZero();
    }
}
