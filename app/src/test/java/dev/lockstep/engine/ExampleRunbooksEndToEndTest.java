package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.cli.CliRun;
import dev.lockstep.sandbox.DemoData;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import dev.lockstep.timeline.OperatorKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example runbook in {@code runbooks/}, run end to end by a real {@code lockstep run} process against
 * the demo data on the sandbox primary (with its standby watched), in the order a team would run them:
 * expand before contract. Each run must finish (exit 0) and leave a timeline that verifies COMPLETE.
 */
@ExtendWith(SandboxExtension.class)
class ExampleRunbooksEndToEndTest {

    private static final String DATABASE = "runbooks_e2e";

    @TempDir
    Path dir;

    /** Runbook file, then its approval steps (approved with --approve, typed confirmations with the id). */
    private static final List<List<String>> ORDER = List.of(
            List.of("enforcement-case-priority.yaml", "confirm-app-version"),
            List.of("enforcement-case-priority-not-null.yaml", "confirm-writers"),
            List.of("customer-display-name-expand.yaml", "dual-write-deployed"),
            List.of("customer-display-name-contract.yaml", "confirm-backup", "confirm-drop"),
            List.of("orders-created-at-index.yaml"),
            List.of("orders-customer-fk-not-valid.yaml"),
            List.of("orders-shipping-address-normalise.yaml"));

    @Test
    void everyExampleRunbookRunsToTheEndOnTheDemoData(Sandbox sandbox) throws Exception {
        // given
        try (Connection admin = sandbox.connectPrimary()) {
            admin.createStatement().execute("drop database if exists " + DATABASE + " with (force)");
            admin.createStatement().execute("create database " + DATABASE);
        }
        String primaryJdbc = sandbox.primaryJdbcUrl().replaceFirst("/postgres(\\?|$)", "/" + DATABASE + "$1");
        try (Connection demo = DriverManager.getConnection(primaryJdbc)) {
            DemoData.load(demo);
        }
        Path runbooks = Path.of(System.getProperty("lockstep.repo.root"), "runbooks");
        try (Stream<Path> files = Files.list(runbooks)) {
            assertThat(files.filter(f -> f.toString().endsWith(".yaml"))
                            .map(f -> f.getFileName().toString()))
                    .as("every example runbook is in the run order")
                    .containsExactlyInAnyOrderElementsOf(
                            ORDER.stream().map(entry -> entry.get(0)).toList());
        }
        Path key = dir.resolve("operator.key");
        OperatorKey.generate().save(key);
        Path timelines = dir.resolve("timeline");

        for (List<String> entry : ORDER) {
            // when
            Path log = dir.resolve(entry.get(0) + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.lockstep.cli.Main",
                    "run",
                    runbooks.resolve(entry.get(0)).toString(),
                    "--db",
                    sandbox.primaryUri().replaceFirst("/postgres$", "/" + DATABASE),
                    "--standby",
                    sandbox.standbyUri().replaceFirst("/postgres$", "/" + DATABASE),
                    "--plain",
                    "--timeline",
                    timelines.toString(),
                    "--key",
                    key.toString()));
            String runbookId = Files.readAllLines(runbooks.resolve(entry.get(0))).stream()
                    .filter(line -> line.startsWith("id: "))
                    .findFirst()
                    .orElseThrow()
                    .substring(4)
                    .trim();
            for (String approval : entry.subList(1, entry.size())) {
                // a typed confirmation takes the runbook id as the reason
                command.addAll(List.of("--approve", approval + "=" + runbookId));
            }
            Process run = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            assertThat(run.waitFor(180, TimeUnit.SECONDS)).as(entry.get(0)).isTrue();

            // then
            String output = Files.readString(log);
            assertThat(run.exitValue()).as(entry.get(0) + ":\n" + output).isZero();
            String timelineLine = output.lines()
                    .filter(line -> line.startsWith("timeline "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no timeline line in:\n" + output));
            CliRun verified = CliRun.of("verify", timelineLine.substring(9), "--pubkey", key + ".pub");
            assertThat(verified.exitCode()).as(verified.out() + verified.err()).isZero();
            assertThat(verified.out()).startsWith("COMPLETE");
        }
    }
}
