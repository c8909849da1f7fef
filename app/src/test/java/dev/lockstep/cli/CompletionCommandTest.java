package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lockstep completion}, loaded into a real bash and asked what it completes, as Tab would. */
class CompletionCommandTest {

    @TempDir
    static Path dir;

    private static Path script;

    @BeforeAll
    static void writeTheScript() throws IOException {
        CliRun run = CliRun.of("completion");
        assertThat(run.exitCode()).as(run.err()).isZero();
        script = dir.resolve("lockstep.bash");
        Files.writeString(script, run.out(), StandardCharsets.UTF_8);
    }

    @Test
    void theScriptRegistersLockstepAndNamesEveryCommand() throws IOException {
        String text = Files.readString(script);

        assertThat(text).contains("complete -F _complete_lockstep").contains("bashcompinit");
        StringWriter discarded = new StringWriter();
        for (String command : Main.commandLine(new PrintWriter(discarded), new PrintWriter(discarded))
                .getSubcommands()
                .keySet()) {
            assertThat(text).as(command).contains(command);
        }
    }

    @Test
    void bashCompletesCommandsOptionsAndScenarios() throws Exception {
        assertThat(complete("lockstep", "st")).containsExactly("status");
        assertThat(complete("lockstep", "com")).containsExactly("completion");
        assertThat(complete("lockstep", "run", "--pl")).containsExactly("--plain");
        assertThat(complete("lockstep", "sandbox", "--demo")).containsExactly("--demo-data");
        assertThat(complete("lockstep", "drill", "pause")).containsExactly("pause-replay");
        // typed by its path, as dist/lockstep: bash looks the completion up by the name after the last slash
        assertThat(complete("dist/lockstep", "verify", "--pub")).containsExactly("--pubkey");
    }

    /** What bash offers for the last word, the way its programmable completion calls the function. */
    private static List<String> complete(String... words) throws Exception {
        Path driver = dir.resolve("complete.sh");
        Files.writeString(
                driver,
                """
                source "$1"
                shift
                COMP_WORDS=("$@")
                COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
                COMP_LINE="$*"
                COMP_POINT=${#COMP_LINE}
                _complete_lockstep lockstep "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
                printf '%s\\n' "${COMPREPLY[@]}"
                """);
        List<String> command = new ArrayList<>(List.of("bash", driver.toString(), script.toString()));
        command.addAll(List.of(words));
        Process bash = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(output).isZero();
        return output.lines().filter(line -> !line.isBlank()).toList();
    }
}
