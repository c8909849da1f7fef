package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.cli.CliRun;
import dev.lockstep.sandbox.AuthMethod;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import dev.lockstep.timeline.OperatorKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code lockstep run} processes write the signed write-ahead timeline: a finished run verifies
 * COMPLETE, a SIGKILLed one INCOMPLETE until it is resumed to the end (then COMPLETE with a recover
 * record), and no secret (a secret parameter, the connection password) reaches the file.
 */
@ExtendWith(SandboxExtension.class)
class TimelineRunTest {

    private static final String ROLE = "lockstep_timeline_tester";
    private static final String PASSWORD = "Pw-never-in-timeline-7731";
    private static final String TOKEN = "tok-never-in-timeline-5512";

    @TempDir
    static Path dir;

    private static Path key;
    private static Sandbox sandbox;

    @BeforeAll
    static void setUp(Sandbox running) throws Exception {
        sandbox = running;
        EngineDatabase.use(running);
        try (var connection = EngineDatabase.connect()) {
            LockstepSchema.defaultSchema().ensure(connection);
        }
        key = dir.resolve("operator.key");
        OperatorKey.generate().save(key);
    }

    private static Path runbook(String id, String table, int batch) throws IOException {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %s
                title: a recorded backfill
                owner: tests
                intent: a backfill whose every step and batch goes to the timeline
                change: { class: R2, phase: migrate }
                parameters:
                  api_token: { type: string, secret: true }
                steps:
                  - id: token-given
                    kind: check
                    sql: "select case when '${api_token}' = '' then 1 else 0 end"
                    expect: { equals: 0 }
                  - id: fill
                    kind: backfill
                    table: %s
                    key: id
                    batch: { size: %d, pause: 20ms }
                    sql: update %s set n = n + 1 where id > :from and id <= :to
                    verify:
                      sql: select count(*) from %s where n <> 1
                      expect: { equals: 0 }
                """
                        .formatted(id, table, batch, table, table),
                StandardCharsets.UTF_8);
        return file;
    }

    private static Process start(Path runbook, Path timelines, String db, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                "run",
                runbook.toString(),
                "--db",
                db,
                "--plain",
                "--param",
                "api_token=" + TOKEN,
                "--timeline",
                timelines.toString(),
                "--key",
                key.toString()));
        return LockstepProcess.start(log, command);
    }

    private static Path onlyTimeline(Path timelines) throws IOException {
        try (Stream<Path> files = Files.list(timelines)) {
            List<Path> all = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }

    private static CliRun verify(Path timeline) {
        return CliRun.of("verify", timeline.toString(), "--pubkey", key + ".pub");
    }

    @Test
    void aFinishedRunVerifiesCompleteAndHoldsNoSecret() throws Exception {
        // given: a login role with a password in the connection string
        sandbox.createLoginRole(ROLE, PASSWORD);
        EngineDatabase.execute("alter role " + ROLE + " superuser");
        sandbox.requirePassword(ROLE, AuthMethod.SCRAM_SHA_256);
        EngineDatabase.counterTable("tl_done_t", 20_000);
        Path timelines = dir.resolve("done");
        Path log = dir.resolve("done.log");
        String db = "postgresql://" + ROLE + ":" + PASSWORD + "@127.0.0.1:" + sandbox.primaryPort() + "/postgres";

        // when
        Process run = start(runbook("T-tl-done", "tl_done_t", 2000), timelines, db, log);
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();

        // then
        String output = Files.readString(log);
        assertThat(run.exitValue()).as(output).isZero();
        Path timeline = onlyTimeline(timelines);
        CliRun verified = verify(timeline);
        assertThat(verified.exitCode()).as(verified.out() + verified.err()).isZero();
        assertThat(verified.out()).contains("COMPLETE");
        String bytes = Files.readString(timeline, StandardCharsets.UTF_8);
        assertThat(bytes)
                .doesNotContain(PASSWORD)
                .doesNotContain(TOKEN)
                .contains("\"redacted\":true")
                .contains("\"type\":\"step_start\"")
                .contains("\"type\":\"batch\"")
                .contains("\"runbook_id\":\"T-tl-done\"")
                .contains("\"system_identifier\"");
        List<String> types = bytes.lines()
                .map(line -> line.replaceAll(".*\"type\":\"([a-z_]+)\".*", "$1"))
                .toList();
        assertThat(types.indexOf("step_start")).isLessThan(types.indexOf("batch"));
        assertThat(output).doesNotContain(PASSWORD);
    }

    @Test
    void aKilledRunIsIncompleteUntilResumedToTheEnd() throws Exception {
        // given
        EngineDatabase.counterTable("tl_kill_t", 100_000);
        Path runbook = runbook("T-tl-kill", "tl_kill_t", 2000);
        Path timelines = dir.resolve("kill");
        Path log = dir.resolve("kill.log");

        // when: SIGKILL mid-backfill
        Process run = start(runbook, timelines, EngineDatabase.uri(), log);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (EngineDatabase.committedBatches("T-tl-kill") < 5) {
            assertThat(run.isAlive()).as(Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(10);
        }
        run.destroyForcibly();
        assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // then
        Path timeline = onlyTimeline(timelines);
        CliRun killed = verify(timeline);
        assertThat(killed.exitCode()).as(killed.out() + killed.err()).isEqualTo(1);
        assertThat(killed.out()).contains("INCOMPLETE");

        // and when resumed to completion
        Process resumed = start(runbook, timelines, EngineDatabase.uri(), log);
        assertThat(resumed.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(resumed.exitValue()).as(Files.readString(log)).isZero();
        assertThat(onlyTimeline(timelines)).isEqualTo(timeline);
        CliRun complete = verify(timeline);
        assertThat(complete.exitCode()).as(complete.out() + complete.err()).isZero();
        assertThat(complete.out()).contains("COMPLETE");
        assertThat(Files.readString(timeline)).contains("\"type\":\"recover\"");
        assertThat(EngineDatabase.queryLong("select count(*) from tl_kill_t where n <> 1"))
                .isZero();
    }

    @Test
    void everyKindOfTamperingWithARealRunsTimelineIsNamed() throws Exception {
        // given: the timeline of a real run, finished and sealed
        EngineDatabase.counterTable("tl_tamper_t", 10_000);
        Path timelines = dir.resolve("tamper");
        Path log = dir.resolve("tamper.log");
        String db = "postgresql://postgres@127.0.0.1:" + sandbox.primaryPort() + "/postgres";
        Process run = start(runbook("T-tl-tamper", "tl_tamper_t", 1000), timelines, db, log);
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(Files.readString(log)).isZero();
        Path timeline = onlyTimeline(timelines);
        List<String> lines =
                Files.readString(timeline, StandardCharsets.UTF_8).lines().toList();
        int middle = lines.size() / 2;
        int last = lines.size() - 1;
        assertThat(lines.get(last)).contains("\"type\":\"checkpoint\"").contains("\"final\":true");

        // when / then: each edit gets its verdict and names a line
        assertVerdict(edited(lines, l -> l.set(middle, flipOneCharacter(l.get(middle)))), 6, "TAMPERED", "line ");
        assertVerdict(edited(lines, l -> l.remove(middle)), 6, "TAMPERED", "line ");
        assertVerdict(
                edited(lines, l -> {
                    String moved = l.remove(middle);
                    l.add(middle + 1, moved);
                }),
                6,
                "TAMPERED",
                "line ");
        assertVerdict(edited(lines, l -> l.add(middle, l.get(middle - 1))), 6, "TAMPERED", "line ");
        assertVerdict(
                edited(lines, l -> l.set(last, replaceFirstSignatureCharacter(l.get(last)))), 6, "TAMPERED", "line ");
        assertVerdict(edited(lines, l -> l.subList(middle, l.size()).clear()), 1, "INCOMPLETE", "");
        String all = String.join("\n", lines) + "\n";
        assertVerdict(all.substring(0, all.length() - lines.get(last).length() / 2), 1, "INCOMPLETE", "");
        Path intruder = dir.resolve("intruder.key");
        OperatorKey.generate().save(intruder);
        CliRun otherOperator = CliRun.of("verify", timeline.toString(), "--pubkey", intruder + ".pub");
        assertThat(otherOperator.exitCode())
                .as(otherOperator.out() + otherOperator.err())
                .isEqualTo(6);
    }

    private static String edited(List<String> lines, java.util.function.Consumer<List<String>> edit) {
        List<String> copy = new ArrayList<>(lines);
        edit.accept(copy);
        // an edit that changes nothing would make its TAMPERED expectation fail for the wrong reason
        assertThat(copy).as("the edit changed nothing").isNotEqualTo(lines);
        return String.join("\n", copy) + "\n";
    }

    /**
     * Replaces the first base64 character of the line's signature by another one. Always a different one: a
     * fixed replacement was the same character for one signature in 64, and the "tampered" file then verified.
     */
    private static String replaceFirstSignatureCharacter(String line) {
        int at = line.indexOf("\"sig\":\"") + "\"sig\":\"".length();
        char changed = line.charAt(at) == 'A' ? 'B' : 'A';
        return line.substring(0, at) + changed + line.substring(at + 1);
    }

    /** Changes one character inside the body of a line, keeping it valid JSON. */
    private static String flipOneCharacter(String line) {
        int at = line.indexOf("\"body\":{") + "\"body\":{".length() + 2;
        char changed = line.charAt(at) == 'a' ? 'b' : 'a';
        return line.substring(0, at) + changed + line.substring(at + 1);
    }

    private static void assertVerdict(String content, int exitCode, String verdict, String names) throws IOException {
        Path tampered = Files.createTempFile(dir, "tampered", ".jsonl");
        Files.writeString(tampered, content, StandardCharsets.UTF_8);
        CliRun verified = verify(tampered);
        String said = verified.out() + verified.err();
        assertThat(verified.exitCode()).as(said).isEqualTo(exitCode);
        assertThat(said).contains(verdict).contains(names);
    }
}
