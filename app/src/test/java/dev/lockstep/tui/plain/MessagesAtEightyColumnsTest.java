package dev.lockstep.tui.plain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.engine.LockstepProcess;
import dev.lockstep.tui.TmuxSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a newcomer reads at an 80x24 terminal (tmux, the real process): messages longer than a line continue
 * at word boundaries, never in the middle of a word or a path, so that what is shown can be copied.
 */
class MessagesAtEightyColumnsTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void needsTmux() {
        assumeTrue(TmuxSession.available(), "tmux is not installed (.ci/run installs it)");
    }

    @Test
    void theNoKeyHintNamesTheKeygenCommandWithoutSplittingAWord() throws Exception {
        // given: no key anywhere; the message is two lines and a half at 80 columns
        Path home = Files.createDirectories(dir.resolve("home"));
        Path runbook = dir.resolve("hint.yaml");
        Files.writeString(
                runbook,
                """
                lockstep: 1
                id: T-no-key-hint
                title: a run without an operator key
                owner: tests
                intent: see the hint
                change: { class: R0, phase: expand }
                steps:
                  - id: nothing
                    kind: note
                    text: nothing
                """);
        List<String> command = new ArrayList<>(List.of("env", "HOME=" + home, "XDG_CONFIG_HOME=", "LOCKSTEP_KEY="));
        command.addAll(LockstepProcess.command(
                List.of("run", runbook.toString(), "--db", "postgresql://127.0.0.1:1/none", "--plain")));
        String key = home.resolve(".config/lockstep/operator.key").toString();
        String hint = "lockstep: no operator key: --key is not given, LOCKSTEP_KEY is not set and " + key
                + " does not exist; make one with 'lockstep keygen --out " + key + "' or run with --unsigned";

        try (TmuxSession terminal = TmuxSession.start(dir, "no-key", command, 80, 24)) {
            // when
            int exit = terminal.awaitExit(Duration.ofSeconds(60));

            // then: the rows of the message, joined at their breaks, are the message
            assertThat(exit).isEqualTo(2);
            assertThat(rowsJoined(terminal.everything(), "lockstep: no operator key"))
                    .isEqualTo(hint);
        }
    }

    @Test
    void keygenSaysWhatItWroteWithoutSplittingAPath() throws Exception {
        Path key = Files.createDirectories(dir.resolve("keys-of-the-on-call-operators"))
                .resolve("operator.key");

        try (TmuxSession terminal = TmuxSession.start(
                dir, "keygen", LockstepProcess.command(List.of("keygen", "--out", key.toString())), 80, 24)) {
            assertThat(terminal.awaitExit(Duration.ofSeconds(60))).isZero();

            assertThat(rowsJoined(terminal.everything(), "wrote"))
                    .isEqualTo("wrote " + key + " (private, mode 0600) and " + key + ".pub SHA256:"
                            + fingerprint(terminal.everything()));
        }
    }

    /** The rows from the one that starts with {@code start} to the next empty one, joined with one space each. */
    private static String rowsJoined(List<String> rows, String start) {
        int first = rows.indexOf(rows.stream()
                .filter(row -> row.startsWith(start))
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError("no row starts with '" + start + "' in\n" + String.join("\n", rows))));
        List<String> message = new ArrayList<>();
        for (int i = first; i < rows.size() && !rows.get(i).isBlank(); i++) {
            message.add(rows.get(i).strip());
        }
        return String.join(" ", message);
    }

    private static String fingerprint(List<String> rows) {
        return rows.stream()
                .filter(row -> row.startsWith("SHA256:"))
                .findFirst()
                .orElseThrow()
                .substring("SHA256:".length());
    }
}
