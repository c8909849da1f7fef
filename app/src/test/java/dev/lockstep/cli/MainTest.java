package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.ExitCode;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void helpListsEveryExitCodeOfTheContract() {
        CliRun run = CliRun.of("--help");

        assertThat(run.exitCode()).isZero();
        for (ExitCode exitCode : ExitCode.values()) {
            assertThat(run.out())
                    .containsPattern(
                            "(?m)^\\s+" + exitCode.code() + "\\s+" + java.util.regex.Pattern.quote(exitCode.meaning()));
        }
    }

    @Test
    void versionNamesTheProject() {
        CliRun run = CliRun.of("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("lockstep ").doesNotContain("unknown");
    }

    @Test
    void unknownCommandIsAUsageError() {
        CliRun run = CliRun.of("frobnicate");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err()).contains("frobnicate");
    }

    @Test
    void noCommandIsAUsageError() {
        CliRun run = CliRun.of();

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err())
                .isEqualTo(
                        """
                        lockstep: missing command
                        Try 'lockstep --help' for the full usage.
                        """);
    }
}
