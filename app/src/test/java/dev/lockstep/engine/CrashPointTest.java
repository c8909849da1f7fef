package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import dev.lockstep.timeline.OperatorKey;
import dev.lockstep.timeline.OperatorPublicKey;
import dev.lockstep.timeline.TimelineVerifier;
import dev.lockstep.timeline.Verdict;
import dev.lockstep.timeline.VerifyResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill at every instant: a small runbook (a check, a DDL step, a step outside a transaction, an approval, a
 * non-idempotent backfill) is run once per durable point (each forced timeline line and each database
 * commit, see {@code dev.lockstep.CrashPoints}), halted right after it as SIGKILL would, then resumed. Every
 * point of the run's start is covered (the lease, the open record, the session key, each step's intent, the
 * first batches), then every fourth point after it and the last. The first dozen resumes are themselves
 * halted at their own Nth point (their recover record, their session key, ...) before a last resume.
 * Each time: the run finishes, every row was updated exactly once, and the one timeline verifies COMPLETE.
 */
@ExtendWith(SandboxExtension.class)
class CrashPointTest {

    private static final int ROWS = 1000;
    private static final Pattern POINT = Pattern.compile("durable (\\d+): (.*)");

    @TempDir
    static Path dir;

    private static Path key;
    private static OperatorPublicKey publicKey;

    @BeforeAll
    static void setUp(Sandbox sandbox) throws Exception {
        EngineDatabase.use(sandbox);
        OperatorKey operator = OperatorKey.generate();
        key = dir.resolve("operator.key");
        operator.save(key);
        publicKey = operator.publicKey();
    }

    private record Iteration(int haltAt, int resumeHaltAt) {}

    @Test
    void aRunHaltedAfterAnyDurablePointResumesToExactlyOnceRowsAndACompleteTimeline() throws Exception {
        // given: the durable points of one whole run, as it reports them
        List<String> points = trace();
        int lastOfStart = secondBatchPoint(points);
        List<Iteration> iterations = new ArrayList<>();
        for (int point = 1; point <= points.size(); point++) {
            if (point <= lastOfStart || point % 4 == 1 || point == points.size()) {
                iterations.add(new Iteration(point, point <= 12 ? point : 0));
            }
        }

        // when / then: two at a time (each iteration has its own table and runbook)
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (Iteration iteration : iterations) {
                results.add(pool.submit(() -> {
                    haltAndResume(iteration, points);
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(iterations).hasSizeGreaterThan(lastOfStart);
    }

    /** Runs the runbook once to the end, printing its durable points; returns what each one was. */
    private static List<String> trace() throws Exception {
        Path runbook = runbook("trace");
        Path log = dir.resolve("trace.log");
        int exit = run(runbook, log, "-Dlockstep.test.trace-durable=true");
        String output = Files.readString(log);
        assertThat(exit).as(output).isZero();
        List<String> points = new ArrayList<>();
        for (String line : output.lines().toList()) {
            Matcher point = POINT.matcher(line);
            if (point.matches()) {
                assertThat(Integer.parseInt(point.group(1))).isEqualTo(points.size() + 1);
                points.add(point.group(2));
            }
        }
        assertThat(points).anyMatch(p -> p.startsWith("lease"));
        assertThat(points).anyMatch(p -> p.startsWith("timeline file"));
        assertThat(points).anyMatch(p -> p.startsWith("timeline open"));
        assertThat(points).anyMatch(p -> p.startsWith("timeline session_key"));
        assertThat(points).anyMatch(p -> p.contains("outside a transaction"));
        return points;
    }

    private static int secondBatchPoint(List<String> points) {
        int batches = 0;
        for (int i = 0; i < points.size(); i++) {
            if (points.get(i).startsWith("backfill fill batch") && ++batches == 2) {
                return i + 1;
            }
        }
        throw new AssertionError("the traced run committed fewer than two batches: " + points);
    }

    private static void haltAndResume(Iteration iteration, List<String> points) throws Exception {
        String name = "at" + iteration.haltAt();
        Path runbook = runbook(name);
        Path log = dir.resolve(name + ".log");
        String what = "halted after point " + iteration.haltAt() + " (" + points.get(iteration.haltAt() - 1) + ")";

        int halted = run(runbook, log, "-Dlockstep.test.halt-after=" + iteration.haltAt());
        assertThat(halted).as(what + "\n" + Files.readString(log)).isEqualTo(137);
        if (iteration.resumeHaltAt() > 0) {
            // the resume dies too, at its own Nth point; it may finish first when it has fewer points
            run(runbook, log, "-Dlockstep.test.halt-after=" + iteration.resumeHaltAt());
        }
        int finished = run(runbook, log);

        String output = Files.readString(log);
        assertThat(finished).as(what + "\n" + output).isZero();
        String table = "cp_" + name;
        assertThat(EngineDatabase.queryLong("select count(*) from " + table + " where n = 1"))
                .as(what)
                .isEqualTo(ROWS);
        String runId =
                EngineDatabase.queryString("select run_id from lockstep.run where runbook_id = 'T-cp-" + name + "'");
        try (var files = Files.list(dir.resolve("timeline"))) {
            assertThat(files.map(file -> file.getFileName().toString()).filter(file -> file.startsWith(runId)))
                    .as(what + ": one timeline file for the run")
                    .containsExactly(runId + ".jsonl");
        }
        VerifyResult verified = TimelineVerifier.verify(dir.resolve("timeline").resolve(runId + ".jsonl"), publicKey);
        assertThat(verified.verdict())
                .as(what + ": " + verified.summary() + "\n" + output)
                .isEqualTo(Verdict.COMPLETE);
    }

    private static int run(Path runbook, Path log, String... jvmOptions) throws IOException, InterruptedException {
        List<String> options = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"));
        options.addAll(List.of(jvmOptions));
        Process process = new ProcessBuilder(LockstepProcess.command(
                        options,
                        List.of(
                                "run",
                                runbook.toString(),
                                "--db",
                                EngineDatabase.uri(),
                                "--plain",
                                "--key",
                                key.toString(),
                                "--timeline",
                                dir.resolve("timeline").toString(),
                                "--approve",
                                "approve=crash drill")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the run ends").isTrue();
        return process.exitValue();
    }

    /** A runbook with its own id and table, so that iterations run side by side. */
    private static Path runbook(String name) throws Exception {
        String table = "cp_" + name;
        EngineDatabase.counterTable(table, ROWS);
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: T-cp-%1$s
                title: halted after a durable point
                owner: tests
                intent: prove that a run resumes from any instant
                change: { class: R2, phase: expand }
                steps:
                  - id: precheck
                    kind: check
                    sql: select count(*) from %2$s where n > 1
                    expect: { equals: 0 }
                  - id: add-column
                    kind: sql
                    sql: alter table %2$s add column note text
                    verify:
                      sql: select count(*) from information_schema.columns where table_name = '%2$s' and column_name = 'note'
                      expect: { equals: 1 }
                  - id: index
                    kind: sql
                    transaction: false
                    sql: create index concurrently if not exists %2$s_id_n on %2$s (id, n)
                    verify:
                      sql: select count(*) from pg_index where indexrelid = to_regclass('%2$s_id_n') and indisvalid
                      expect: { equals: 1 }
                  - id: approve
                    kind: approval
                    prompt: go?
                  - id: fill
                    kind: backfill
                    table: %2$s
                    key: id
                    batch: { size: 100 }
                    sql: update %2$s set n = n + 1 where id > :from and id <= :to
                    verify:
                      sql: select count(*) from %2$s where n <> 1
                      expect: { equals: 0 }
                """
                        .formatted(name, table),
                StandardCharsets.UTF_8);
        return file;
    }
}
