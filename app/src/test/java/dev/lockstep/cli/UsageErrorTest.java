package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.ExitCode;
import org.junit.jupiter.api.Test;

/**
 * A usage error on an 80x24 terminal: the error first, then one line saying where the full usage is; never the
 * whole usage pushing the error off the screen. Exit 2.
 */
class UsageErrorTest {

    @Test
    void aMisspeltOptionSuggestsTheClosestOption() {
        CliRun run = CliRun.of("run", "runbook.yaml", "--pain");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err())
                .isEqualTo(
                        """
                        lockstep run: unknown option '--pain' (did you mean '--plain'?)
                        Try 'lockstep run --help' for the full usage.
                        """);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aMisspeltOptionWithAValueIsComparedWithoutTheValue() {
        CliRun run = CliRun.of("run", "runbook.yaml", "--standy=postgresql://db");

        assertThat(run.err()).startsWith("lockstep run: unknown option '--standy' (did you mean '--standby'?)\n");
    }

    @Test
    void anOptionLikeNoOtherSuggestsNothing() {
        CliRun run = CliRun.of("status", "--frobnicate");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err())
                .isEqualTo(
                        """
                        lockstep status: unknown option '--frobnicate'
                        Try 'lockstep status --help' for the full usage.
                        """);
    }

    @Test
    void aMissingParamValueNamesTheOptionAndItsForm() {
        CliRun run = CliRun.of("run", "runbook.yaml", "--param");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err())
                .isEqualTo(
                        """
                        lockstep run: missing required parameter for option '--param' (K=V)
                        Try 'lockstep run --help' for the full usage.
                        """);
    }

    @Test
    void aParamWithoutAnEqualsSignSaysWhatIsExpectedAndWordsAppearOnce() {
        CliRun run = CliRun.of("run", "runbook.yaml", "--param", "batch_size");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err())
                .isEqualTo(
                        """
                        lockstep run: option '--param' expects K=V, got 'batch_size'
                        Try 'lockstep run --help' for the full usage.
                        """)
                .doesNotContain("option option");
    }

    @Test
    void anOptionWhereAValueShouldBe() {
        CliRun run = CliRun.of("run", "runbook.yaml", "--param", "--plain");

        assertThat(run.err())
                .isEqualTo(
                        """
                        lockstep run: expected parameter for option '--param' but found '--plain'
                        Try 'lockstep run --help' for the full usage.
                        """);
    }

    @Test
    void aMissingFileIsNamed() {
        CliRun run = CliRun.of("validate");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err())
                .isEqualTo(
                        """
                        lockstep validate: missing required parameter: 'FILE'
                        Try 'lockstep validate --help' for the full usage.
                        """);
    }

    @Test
    void aMissingRequiredOptionIsNamedWithItsForm() {
        CliRun run = CliRun.of("keygen");

        assertThat(run.err())
                .isEqualTo(
                        """
                        lockstep keygen: missing required option: '--out=FILE'
                        Try 'lockstep keygen --help' for the full usage.
                        """);
    }

    @Test
    void aMisspeltCommandSuggestsTheClosestCommand() {
        CliRun run = CliRun.of("stauts", "--db", "postgresql://db");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err())
                .isEqualTo(
                        """
                        lockstep: unknown command 'stauts' (did you mean 'status'?)
                        Try 'lockstep --help' for the full usage.
                        """);
    }

    @Test
    void anArgumentTooManyIsNamed() {
        CliRun run = CliRun.of("schema", "extra");

        assertThat(run.err())
                .isEqualTo(
                        """
                        lockstep schema: unexpected argument 'extra'
                        Try 'lockstep schema --help' for the full usage.
                        """);
    }

    @Test
    void aBadValueKeepsTheConvertersMessage() {
        CliRun run = CliRun.of("watch", "--interval", "fast");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err().lines())
                .hasSize(2)
                .first()
                .asString()
                .startsWith("lockstep watch: ")
                .contains("invalid --interval 'fast': expected a number with ms, s, m or h, e.g. 1s");
    }
}
