package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.cli.CliRun;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import dev.lockstep.timeline.OperatorKey;
import dev.lockstep.timeline.TimelineEdits;
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
 * Real {@code lockstep run} processes stopped cleanly (SIGINT at a safe point, an unattended pause by a
 * custom SQL signal) and resumed keep one timeline file: verify judges the whole of it and says how often
 * the run was stopped and resumed, evidence lists the stops and who resumed them, a SIGKILL after a
 * resume leaves it INCOMPLETE until the next resume, and tampering around a stop is refused.
 */
@ExtendWith(SandboxExtension.class)
class ResumedTimelineRunTest {

    private static final int ROWS = 80_000;

    @TempDir
    static Path dir;

    private static Path key;

    @BeforeAll
    static void setUp(Sandbox sandbox) throws Exception {
        EngineDatabase.use(sandbox);
        try (var connection = EngineDatabase.connect()) {
            LockstepSchema.defaultSchema().ensure(connection);
        }
        key = dir.resolve("operator.key");
        OperatorKey.generate().save(key);
    }

    /** A backfill of 80 batches, 100 ms apart, that pauses while its flag table has a row. */
    private static Path runbook(String id) throws Exception {
        return runbook(id, ROWS);
    }

    private static Path runbook(String id, int rows) throws Exception {
        String table = id.toLowerCase().replace('-', '_');
        EngineDatabase.counterTable(table, rows);
        EngineDatabase.execute("drop table if exists " + table + "_flag", "create table " + table + "_flag (at int)");
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %1$s
                title: a backfill that is stopped and resumed
                owner: tests
                intent: a backfill whose one timeline tells every stop and resume
                change: { class: R2, phase: migrate }
                stop_criteria:
                  - id: app-errors
                    signal: { sql: "select count(*) from %2$s_flag" }
                    above: 0
                    action: pause
                steps:
                  - id: fill
                    kind: backfill
                    table: %2$s
                    key: id
                    batch: { size: 1000, pause: 100ms }
                    sql: update %2$s set n = n + 1 where id > :from and id <= :to
                    verify:
                      sql: select count(*) from %2$s where n <> 1
                      expect: { equals: 0 }
                """
                        .formatted(id, table),
                StandardCharsets.UTF_8);
        return file;
    }

    private static Process start(Path runbook, Path timelines, Path log) throws IOException {
        return LockstepProcess.start(
                log,
                List.of(
                        "run",
                        runbook.toString(),
                        "--db",
                        EngineDatabase.uri(),
                        "--plain",
                        "--timeline",
                        timelines.toString(),
                        "--key",
                        key.toString()));
    }

    /** Waits until {@code more} batches commit after the ones already committed. */
    private static void awaitMoreBatches(String runbookId, long more, Process run, Path log) throws Exception {
        long target = EngineDatabase.committedBatches(runbookId) + more;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (EngineDatabase.committedBatches(runbookId) < target) {
            assertThat(run.isAlive()).as(Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("waiting for batch " + target).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void sigint(Process run) throws Exception {
        assertThat(new ProcessBuilder("kill", "-INT", Long.toString(run.pid()))
                        .start()
                        .waitFor())
                .isZero();
    }

    private static void assertExit(Process run, int code, Path log) throws Exception {
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
        assertThat(run.exitValue()).as(Files.readString(log)).isEqualTo(code);
    }

    /** Started, stopped by SIGINT at a safe point, resumed to the end: returns the resuming process. */
    private static Process stopBySigintThenFinish(String id, Path runbook, Path timelines, Path log) throws Exception {
        Process first = start(runbook, timelines, log);
        awaitMoreBatches(id, 5, first, log);
        sigint(first);
        assertExit(first, 4, log);
        Process resumed = start(runbook, timelines, log);
        assertExit(resumed, 0, log);
        return resumed;
    }

    private static Path onlyTimeline(Path timelines) throws IOException {
        try (Stream<Path> files = Files.list(timelines)) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(1);
            assertThat(all.get(0).toString()).endsWith(".jsonl");
            return all.get(0);
        }
    }

    private static CliRun verify(Path timeline, String... extra) {
        List<String> args = new ArrayList<>(List.of("verify", timeline.toString(), "--pubkey", key + ".pub"));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static JsonNode verifyJson(Path timeline) throws IOException {
        return new ObjectMapper().readTree(verify(timeline, "--json").out());
    }

    private static List<JsonNode> read(Path timeline) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(timeline, StandardCharsets.UTF_8)) {
            lines.add(mapper.readTree(line));
        }
        return lines;
    }

    private static long count(List<JsonNode> lines, String type) {
        return lines.stream()
                .filter(line -> line.get("type").asText().equals(type))
                .count();
    }

    @Test
    void aRunStoppedBySigintAndResumedToTheEndIsOneCompleteFile() throws Exception {
        // given
        Path runbook = runbook("T-tlr-int");
        Path timelines = dir.resolve("int");
        Path log = dir.resolve("int.log");
        Process first = start(runbook, timelines, log);
        awaitMoreBatches("T-tlr-int", 5, first, log);

        // when: SIGINT stops it at a safe point (exit 4)
        sigint(first);
        assertExit(first, 4, log);

        // then: closed and sealed as a stopped run
        Path timeline = onlyTimeline(timelines);
        CliRun stopped = verify(timeline);
        assertThat(stopped.exitCode()).as(stopped.out() + stopped.err()).isZero();
        assertThat(stopped.out()).startsWith("COMPLETE").doesNotContain("resumed");

        // and when resumed to the end
        Process resumed = start(runbook, timelines, log);
        assertExit(resumed, 0, log);

        // then: the same file, one run id, and verify tells the whole story
        assertThat(onlyTimeline(timelines)).isEqualTo(timeline);
        CliRun complete = verify(timeline);
        assertThat(complete.exitCode()).as(complete.out() + complete.err()).isZero();
        assertThat(complete.out()).startsWith("COMPLETE").contains("stopped and resumed once");
        JsonNode json = verifyJson(timeline);
        assertThat(json.get("resumes").asInt()).isEqualTo(1);
        assertThat(json.get("recovers").asInt()).isZero();
        assertThat(json.get("session_keys").asInt()).isEqualTo(2);
        List<JsonNode> lines = read(timeline);
        String runId = lines.get(0).get("run").asText();
        assertThat(timeline.getFileName()).hasToString(runId + ".jsonl");
        assertThat(lines).allMatch(line -> line.get("run").asText().equals(runId));
        assertThat(count(lines, "open")).isEqualTo(1);
        assertThat(count(lines, "close")).isEqualTo(2);
        JsonNode resume = lines.stream()
                .filter(line -> line.get("type").asText().equals("recover"))
                .findFirst()
                .orElseThrow();
        assertThat(resume.at("/body/after").asText()).isEqualTo("close");
        assertThat(resume.at("/body/pid").asLong()).isEqualTo(resumed.pid());
        assertThat(resume.get("actor").asText())
                .isEqualTo("operator:" + Holder.current().userAtHost());
        JsonNode stopClose = lines.get((int) resume.get("seq").asLong() - 2);
        assertThat(stopClose.get("type").asText()).isEqualTo("close");
        assertThat(stopClose.at("/body/exit_code").asInt()).isEqualTo(4);
        assertThat(stopClose.at("/body/message").asText()).contains("SIGINT");
        assertThat(EngineDatabase.queryLong("select count(*) from t_tlr_int where n <> 1"))
                .isZero();
    }

    @Test
    void twoStopsASigintAndAnUnattendedPauseThenTheEndAreOneFileAndOneEvidence() throws Exception {
        // given
        String id = "T-tlr-two";
        Path runbook = runbook(id);
        Path timelines = dir.resolve("two");
        Path log = dir.resolve("two.log");

        // when: stopped by SIGINT
        Process first = start(runbook, timelines, log);
        awaitMoreBatches(id, 5, first, log);
        sigint(first);
        assertExit(first, 4, log);
        // resumed, then paused by the custom signal with nobody at a terminal: it stops (exit 4)
        Process second = start(runbook, timelines, log);
        awaitMoreBatches(id, 5, second, log);
        EngineDatabase.execute("insert into t_tlr_two_flag values (1)");
        assertExit(second, 4, log);
        // the signal clears and the run is resumed to the end
        EngineDatabase.execute("delete from t_tlr_two_flag");
        Process third = start(runbook, timelines, log);
        assertExit(third, 0, log);

        // then
        Path timeline = onlyTimeline(timelines);
        CliRun complete = verify(timeline);
        assertThat(complete.exitCode()).as(complete.out() + complete.err()).isZero();
        assertThat(complete.out()).startsWith("COMPLETE").contains("stopped and resumed 2 times");
        JsonNode json = verifyJson(timeline);
        assertThat(json.get("resumes").asInt()).isEqualTo(2);
        assertThat(json.get("session_keys").asInt()).isEqualTo(3);

        // and the evidence tells the whole run
        Path bundle = dir.resolve("two-evidence");
        CliRun evidence =
                CliRun.of("evidence", timeline.toString(), "--out", bundle.toString(), "--pubkey", key + ".pub");
        assertThat(evidence.exitCode()).as(evidence.out() + evidence.err()).isZero();
        JsonNode report =
                new ObjectMapper().readTree(bundle.resolve("evidence.json").toFile());
        assertThat(report.at("/close/body/state").asText()).isEqualTo("done");
        JsonNode stops = report.get("stops");
        assertThat(stops).hasSize(2);
        assertThat(stops.get(0).get("reason").asText()).contains("SIGINT");
        assertThat(stops.get(0).at("/resumed/pid").asLong()).isEqualTo(second.pid());
        assertThat(stops.get(1).get("reason").asText()).contains("paused by stop criterion app-errors");
        assertThat(stops.get(1).at("/resumed/pid").asLong()).isEqualTo(third.pid());
        assertThat(stops.get(1).at("/resumed/by").asText())
                .isEqualTo(Holder.current().userAtHost());
        assertThat(Files.readString(bundle.resolve("report.md")))
                .contains("## Stops and resumes")
                .contains("| Stopped and resumed | 2 times");
        assertThat(Files.readString(bundle.resolve("report.html"))).contains("<title>stopped</title>");
        assertThat(EngineDatabase.queryLong("select count(*) from t_tlr_two where n <> 1"))
                .isZero();
    }

    @Test
    void aSigkillAfterAResumeIsIncompleteUntilTheNextResumeCompletesIt() throws Exception {
        // given: stopped by SIGINT and resumed
        String id = "T-tlr-kill";
        Path runbook = runbook(id);
        Path timelines = dir.resolve("kill");
        Path log = dir.resolve("kill.log");
        Process first = start(runbook, timelines, log);
        awaitMoreBatches(id, 5, first, log);
        sigint(first);
        assertExit(first, 4, log);
        Process resumed = start(runbook, timelines, log);
        awaitMoreBatches(id, 5, resumed, log);

        // when: SIGKILL in the resumed part
        resumed.destroyForcibly();
        assertThat(resumed.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // then
        Path timeline = onlyTimeline(timelines);
        CliRun killed = verify(timeline);
        assertThat(killed.exitCode()).as(killed.out() + killed.err()).isEqualTo(1);
        assertThat(killed.out()).startsWith("INCOMPLETE").contains("stopped and resumed once");

        // and when resumed again, to the end
        Process last = start(runbook, timelines, log);
        assertExit(last, 0, log);
        assertThat(onlyTimeline(timelines)).isEqualTo(timeline);
        CliRun complete = verify(timeline);
        assertThat(complete.exitCode()).as(complete.out() + complete.err()).isZero();
        assertThat(complete.out()).startsWith("COMPLETE").contains("stopped and resumed once, reopened after a crash");
        JsonNode json = verifyJson(timeline);
        assertThat(json.get("resumes").asInt()).isEqualTo(1);
        assertThat(json.get("recovers").asInt()).isEqualTo(1);
        assertThat(EngineDatabase.queryLong("select count(*) from t_tlr_kill where n <> 1"))
                .isZero();
    }

    @Test
    void aBackfillKilledBySigkillIsInDoubtInTheEvidenceBeforeTheAttemptThatReplacedIt() throws Exception {
        // given: a backfill killed (SIGKILL) after some batches, then resumed to the end
        String id = "T-tlr-doubt";
        Path runbook = runbook(id);
        Path timelines = dir.resolve("doubt");
        Path log = dir.resolve("doubt.log");
        Process killed = start(runbook, timelines, log);
        awaitMoreBatches(id, 5, killed, log);
        killed.destroyForcibly();
        assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Process resumed = start(runbook, timelines, log);
        assertExit(resumed, 0, log);
        Path timeline = onlyTimeline(timelines);

        // when
        Path bundle = dir.resolve("doubt-evidence");
        CliRun evidence =
                CliRun.of("evidence", timeline.toString(), "--out", bundle.toString(), "--pubkey", key + ".pub");

        // then: each attempt in the order it started; the killed one in doubt, with no end
        assertThat(evidence.exitCode()).as(evidence.out() + evidence.err()).isZero();
        JsonNode report =
                new ObjectMapper().readTree(bundle.resolve("evidence.json").toFile());
        JsonNode steps = report.get("steps");
        assertThat(steps)
                .extracting(step -> step.get("step").asText() + " "
                        + step.get("attempt").asInt() + " " + step.get("result").asText())
                .containsExactly("fill 1 in doubt", "fill 2 ok");
        assertThat(steps.get(0).get("endedAt").isNull()).isTrue();
        assertThat(steps.get(0).get("startedAt").asText())
                .isLessThan(steps.get(1).get("startedAt").asText());
        assertThat(report.get("recoveries")).hasSize(1);
        assertThat(report.get("stops")).isEmpty();
        assertThat(Files.readString(bundle.resolve("report.md")))
                .contains("| fill | 1 | " + steps.get(0).get("startedAt").asText() + " |  | in doubt |")
                .contains("| Reopened after a crash | once");
        // and the throughput chart shades the downtime and draws no line across it: one line per process
        String html = Files.readString(bundle.resolve("report.html"));
        String throughput = html.substring(html.indexOf("aria-label=\"Backfill throughput (rows/s)\""));
        throughput = throughput.substring(0, throughput.indexOf("</svg>"));
        assertThat(throughput.split("<title>crashed</title>", -1)).hasSize(2);
        assertThat(throughput.split("<polyline", -1)).hasSize(3);
        assertThat(EngineDatabase.queryLong("select count(*) from t_tlr_doubt where n <> 1"))
                .isZero();
    }

    @Test
    void tamperingAroundTheStopOfARealRunIsRefused() throws Exception {
        // given: a real run stopped by SIGINT and resumed to the end, and another run's closed timeline
        Path timelines = dir.resolve("tamper");
        Path log = dir.resolve("tamper.log");
        stopBySigintThenFinish("T-tlr-tamper", runbook("T-tlr-tamper"), timelines, log);
        Path timeline = onlyTimeline(timelines);
        Path otherTimelines = dir.resolve("tamper-other");
        Process other = start(runbook("T-tlr-other", 2_000), otherTimelines, log);
        assertExit(other, 0, log);
        List<String> otherRun = TimelineEdits.lines(onlyTimeline(otherTimelines));
        List<String> lines = TimelineEdits.lines(timeline);
        int closeAt = TimelineEdits.indexOf(lines, "\"type\":\"close\"", 0);
        int resumeAt = closeAt + 2;
        int sessionKeyAt = closeAt + 3;
        assertThat(lines.get(resumeAt)).contains("\"type\":\"recover\"").contains("\"after\":\"close\"");
        assertThat(lines.get(sessionKeyAt)).contains("\"type\":\"session_key\"");

        // when / then: the first part replaced by the other run's closed timeline
        List<String> replaced = TimelineEdits.copy(otherRun);
        replaced.addAll(lines.subList(resumeAt, lines.size()));
        assertTampered(replaced, otherRun.size() + 1, "");

        // lines after the stop's close without a resume and a new session key
        List<String> noNewKey = TimelineEdits.copy(lines);
        noNewKey.subList(resumeAt, sessionKeyAt + 1).clear();
        TimelineEdits.renumberAndRechain(noNewKey, resumeAt);
        assertTampered(noNewKey, resumeAt + 1, "a line after the final checkpoint");

        // the resumed part's session key certified by another operator key
        OperatorKey intruder = OperatorKey.generate();
        List<String> otherOperator = TimelineEdits.copy(lines);
        otherOperator.set(
                sessionKeyAt, TimelineEdits.recertified(lines.get(sessionKeyAt), intruder, intruder.publicKey()));
        assertTampered(otherOperator, sessionKeyAt + 1, "not by this operator");

        // the stop's close taken out of the middle, and the same with seq, chain and roots rebuilt
        List<String> noClose = TimelineEdits.copy(lines);
        noClose.remove(closeAt);
        assertTampered(noClose, closeAt + 1, "missing");
        TimelineEdits.renumberAndRechain(noClose, closeAt);
        TimelineEdits.resealRoots(noClose, closeAt);
        assertTampered(noClose, closeAt + 1, "a final checkpoint that does not follow the close record");
    }

    private static void assertTampered(List<String> edited, long line, String reason) throws IOException {
        Path file = Files.createTempFile(dir, "tampered", ".jsonl");
        Files.write(file, TimelineEdits.join(edited));
        CliRun verified = verify(file);
        String said = verified.out() + verified.err();
        assertThat(verified.exitCode()).as(said).isEqualTo(6);
        assertThat(said).startsWith("TAMPERED: line " + line + " ").contains(reason);
    }
}
