package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.ExitCode;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer starts {@code lockstep sandbox} and runs an example runbook on it: the demo tables are not there.
 * The run says so and how to get them, instead of only "relation does not exist" and "resumable".
 */
@ExtendWith(SandboxExtension.class)
class DemoTablesHintTest {

    /** A database of its own on the shared sandbox: bare, like a new sandbox's, and no other test's runs. */
    private static final String DATABASE = "demo_tables_hint";

    @TempDir
    static Path dir;

    private static Sandbox sandbox;

    @BeforeAll
    static void bareDatabase(Sandbox running) throws Exception {
        sandbox = running;
        try (Connection connection = sandbox.connectPrimary();
                Statement statement = connection.createStatement()) {
            statement.execute("drop database if exists " + DATABASE);
            statement.execute("create database " + DATABASE);
        }
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        try (Connection connection = sandbox.connectPrimary();
                Statement statement = connection.createStatement()) {
            statement.execute("drop database if exists " + DATABASE + " with (force)");
        }
    }

    private static String database() {
        return sandbox.primaryUri().replaceFirst("/postgres$", "/" + DATABASE);
    }

    private static CliRun run(Path runbook) {
        return CliRun.of(
                "run",
                runbook.toString(),
                "--db",
                database(),
                "--plain",
                "--unsigned",
                "--timeline",
                dir.resolve("timeline").toString());
    }

    @Test
    void anExampleRunbookOnABareSandboxSaysHowToLoadTheDemoTables() {
        Path example = Path.of(System.getProperty("lockstep.repo.root"), "runbooks/enforcement-case-priority.yaml");

        CliRun run = run(example);

        assertThat(run.exitCode()).as(run.err()).isNotZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(lines.size() - 1))
                .isEqualTo("hint: the runbook uses the demo tables app_error, enforcement_case, which this sandbox"
                        + " does not have: start it with 'lockstep sandbox --demo-data' (or try 'lockstep demo',"
                        + " which loads them itself)");
    }

    @Test
    void aRunbookOfOneselfThatFailsGetsNoDemoHint() throws Exception {
        Path runbook = dir.resolve("own.yaml");
        Files.writeString(
                runbook,
                """
                lockstep: 1
                id: T-own-failing-check
                title: a check that fails on a table of one's own
                owner: tests
                intent: no hint about tables this runbook does not use
                change: { class: R0, phase: expand }
                steps:
                  - id: missing
                    kind: check
                    sql: select count(*) from table_nobody_created
                    expect: { equals: 0 }
                """);

        CliRun run = run(runbook);

        assertThat(run.exitCode()).isEqualTo(ExitCode.STEP_FAILED.code());
        assertThat(run.out()).contains("table_nobody_created").doesNotContain("--demo-data");
    }
}
