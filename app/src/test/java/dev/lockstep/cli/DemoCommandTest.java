package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lockstep demo --exit} as a newcomer's {@code scripts/demo} runs it, as a real process started outside
 * the checkout: the whole story is on screen, the timeline verifies, and nothing is left running.
 */
class DemoCommandTest {

    @Test
    void demoTellsTheWholeStoryAndLeavesNothingBehind(@TempDir Path dir) throws Exception {
        Path kept = dir.resolve("kept");
        Process demo = startLockstep(dir, "demo", "--exit", "--keep", kept.toString());
        CompletableFuture<String> printed = readAll(demo.getInputStream());
        CompletableFuture<String> logged = readAll(demo.getErrorStream());
        try {
            // a bound for a stuck demo, not a measurement
            assertThat(demo.waitFor(240, TimeUnit.SECONDS)).isTrue();
            String out = printed.get(10, TimeUnit.SECONDS);
            String err = logged.get(10, TimeUnit.SECONDS);

            assertThat(demo.exitValue())
                    .as("exit code; stderr:%n%s%nstdout:%n%s", err, out)
                    .isZero();
            assertThat(out)
                    .contains("approve confirm-app-version by ")
                    .contains(DemoCommand.APPROVAL_REASON)
                    .contains("note    drill lock-holder: session pid")
                    .containsPattern("BREACH  lock-queue: lock_wait_seconds \\S+ > 5 -> pause")
                    .contains("state   running -> paused by stop criterion lock-queue")
                    .contains("note    drill lock-holder: released the lock on enforcement_case")
                    .containsPattern("clear   lock-queue: lock_wait_seconds \\S+ <= 1")
                    .contains("decide  resume at add-column by ")
                    .contains(DemoOperator.RESUME_REASON)
                    .contains("note    drill pause-replay: paused WAL replay on the standby")
                    .containsPattern("BREACH  standby-lag: replication_lag_seconds \\S+ > 6 -> pause")
                    .contains("state   running -> paused by stop criterion standby-lag")
                    .contains("note    drill pause-replay: resumed WAL replay on the standby")
                    .containsPattern("clear   standby-lag: replication_lag_seconds \\S+ <= 5")
                    .contains("state   paused -> running")
                    .containsPattern("ok      backfill-open-cases 120,000 rows in ")
                    .containsPattern("end     run \\S+ done, exit 0")
                    .contains("COMPLETE: run ")
                    // the last act: an old writer's row fails VALIDATE; classified, repaired with a reason
                    .contains("note    drill old-writer: an application node still on 2026.05 filed case")
                    .containsPattern("FAILED  validate-check .*SQLSTATE 23514")
                    .contains("check-violation")
                    .contains("decide  repair at validate-check by ")
                    .contains(DemoOperator.REPAIR_REASON)
                    .contains("ok      validate-check")
                    .doesNotContain("[ ] NOT");
            assertThat(Pattern.compile("end     run \\S+ done, exit 0")
                            .matcher(out)
                            .results()
                            .count())
                    .isEqualTo(2);
            assertOrder(
                    out,
                    "approve confirm-app-version",
                    "BREACH  lock-queue",
                    "decide  resume at add-column",
                    "BREACH  standby-lag",
                    "clear   standby-lag",
                    "COMPLETE: run ",
                    "drill old-writer",
                    "FAILED  validate-check",
                    "decide  repair at validate-check",
                    "ok      validate-check");

            // nothing of the sandbox is left: no server process, no directory
            Matcher sandboxDir =
                    Pattern.compile("(/\\S*lockstep-sandbox-[^/\\s]+)/demo/").matcher(out);
            assertThat(sandboxDir.find())
                    .as("the sandbox directory in the output")
                    .isTrue();
            String base = sandboxDir.group(1);
            assertThat(Path.of(base)).doesNotExist();
            assertThat(ProcessHandle.allProcesses()
                            .filter(process ->
                                    process.info().commandLine().orElse("").contains(base)))
                    .isEmpty();

            // what --keep kept verifies on its own, with the public key and without the private one: both runs'
            // timelines
            assertThat(kept.resolve("operator-key.pub")).exists();
            assertThat(kept.resolve("operator-key")).doesNotExist();
            assertThat(kept.resolve("evidence/report.html")).exists();
            List<Path> timelines;
            try (Stream<Path> files = Files.list(kept.resolve("timeline"))) {
                timelines =
                        files.filter(file -> file.toString().endsWith(".jsonl")).toList();
            }
            assertThat(timelines).hasSize(2);
            for (Path timeline : timelines) {
                CliRun verify = CliRun.of(
                        "verify",
                        timeline.toString(),
                        "--pubkey",
                        kept.resolve("operator-key.pub").toString());
                assertThat(verify.exitCode()).as(timeline.toString()).isZero();
                assertThat(verify.out()).startsWith("COMPLETE: ");
            }
        } finally {
            demo.destroyForcibly();
        }
    }

    private static void assertOrder(String text, String... parts) {
        int from = 0;
        for (String part : parts) {
            int at = text.indexOf(part, from);
            assertThat(at).as("'%s' after position %d", part, from).isGreaterThanOrEqualTo(0);
            from = at + part.length();
        }
    }

    private static CompletableFuture<String> readAll(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static Process startLockstep(Path workingDir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.lockstep.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile());
        builder.environment().put("LOCKSTEP_PG_BINARIES", System.getProperty("lockstep.pg.binaries"));
        return builder.start();
    }
}
