package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.ExitCode;
import dev.lockstep.sandbox.Drills;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What a newcomer types first: {@code --help}, after any command, read on an 80-column terminal. */
class HelpTest {

    /** Every command Main knows, so that a command added later is held to the same rules. */
    static Stream<String> commands() {
        StringWriter discarded = new StringWriter();
        return Main.commandLine(new PrintWriter(discarded), new PrintWriter(discarded))
                .getSubcommands()
                .keySet()
                .stream()
                .filter(name -> !name.equals("help"));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void helpAfterEveryCommandPrintsItsUsageAndExitsZero(String command) {
        CliRun run = CliRun.of(command, "--help");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("Usage: lockstep " + command);
        assertThat(run.err()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("commands")
    void helpOfEveryCommandListsTheExitCodes(String command) {
        CliRun run = CliRun.of(command, "--help");

        assertThat(run.out()).contains("Exit codes:");
        for (ExitCode exitCode : ExitCode.values()) {
            assertThat(run.out()).containsPattern("(?m)^\\s+" + exitCode.code() + "\\s+\\S");
        }
    }

    @ParameterizedTest
    @MethodSource("commands")
    void helpCommandAndShortOptionSayTheSame(String command) {
        CliRun help = CliRun.of("help", command);
        CliRun shortOption = CliRun.of(command, "-h");

        assertThat(help.exitCode()).isZero();
        assertThat(shortOption.exitCode()).isZero();
        assertThat(shortOption.out())
                .isEqualTo(help.out())
                .isEqualTo(CliRun.of(command, "--help").out());
    }

    @ParameterizedTest
    @MethodSource("commands")
    void helpAfterACommandWinsOverMissingArguments(String command) {
        // the newcomer's order: options first, then --help because they do not know what is missing
        CliRun run = CliRun.of(command, "--stacktrace", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: lockstep " + command);
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandsHelpFitsEightyColumns(String command) {
        assertThat(CliRun.of(command, "--help").out().lines())
                .allSatisfy(line -> assertThat(line).hasSizeLessThanOrEqualTo(80));
    }

    @Test
    void theCommandListGivesEveryCommandAWholeSentenceOnOneLineWithin80Columns() {
        CliRun run = CliRun.of("--help");

        List<String> lines = run.out().lines().toList();
        assertThat(lines).allSatisfy(line -> assertThat(line).hasSizeLessThanOrEqualTo(80));
        List<String> commandList = lines.subList(lines.indexOf("Commands:") + 1, lines.indexOf(""));
        assertThat(commandList)
                .extracting(line -> line.strip().split("\\s+")[0])
                .containsAll(commands().toList());
        assertThat(commandList).allSatisfy(line -> assertThat(line).matches("  [a-z]+ +[A-Z].*\\."));
    }

    @Test
    void drillListsEachScenarioOnOneLine() {
        List<String> lines = CliRun.of("drill", "--help").out().lines().toList();

        for (String scenario : Drills.SCENARIOS) {
            int at = lines.indexOf(lines.stream()
                    .filter(line -> line.startsWith("  " + scenario + " "))
                    .findFirst()
                    .orElseThrow());
            // the next line is the next scenario or the text after the list, not this one continued at column 0
            assertThat(lines.get(at + 1)).matches("  [a-z-]+ +\\S.*|Exit .*");
        }
    }
}
