package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The run command the demo shows before it runs it: readable at 80 columns, and still the same command. */
class DemoTypedCommandTest {

    private static final Path WORK = Path.of("/tmp/lockstep-demo-123456789");

    @Test
    void optionsStayWithTheirValuesPathsAreShortAndNoLineIsWiderThan80() {
        List<String> run = List.of(
                "run",
                WORK.resolve("runbooks/enforcement-case-priority.yaml").toString(),
                "--db",
                "postgresql://postgres@127.0.0.1:33667/postgres",
                "--standby",
                "postgresql://postgres@127.0.0.1:35303/postgres",
                "--plain",
                "--param",
                "batch_size=1000",
                "--approve",
                "confirm-app-version=app 2026.06.28 is deployed",
                "--timeline",
                WORK.resolve("timeline").toString());

        String typed = DemoCommand.typedCommand(run, WORK);

        assertThat(typed.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        assertThat(typed.lines().count()).isGreaterThan(1);
        assertThat(typed.replace(" \\\n    ", " "))
                .isEqualTo("$ lockstep run $DEMO/runbooks/enforcement-case-priority.yaml"
                        + " --db postgresql://postgres@127.0.0.1:33667/postgres"
                        + " --standby postgresql://postgres@127.0.0.1:35303/postgres --plain"
                        + " --param batch_size=1000"
                        + " --approve 'confirm-app-version=app 2026.06.28 is deployed'"
                        + " --timeline $DEMO/timeline");
    }

    @Test
    void anOptionLongerThanTheScreenHasALineOfItsOwn() {
        String reason = "confirm-app-version=" + "deployed everywhere, checked ".repeat(4);
        List<String> run = List.of("run", "rb.yaml", "--plain", "--approve", reason, "--key", "k");

        String typed = DemoCommand.typedCommand(run, WORK);

        assertThat(typed.lines().toList())
                .containsExactly(
                        "$ lockstep run rb.yaml --plain \\", "    --approve '" + reason + "' \\", "    --key k");
    }
}
