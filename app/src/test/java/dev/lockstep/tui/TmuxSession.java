package dev.lockstep.tui;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A command in a real terminal: a tmux session of its own (its own server socket and no user configuration),
 * read with {@code capture-pane} and typed into with {@code send-keys}, as a person at the terminal would.
 */
public final class TmuxSession implements AutoCloseable {

    private static final String SESSION = "lockstep";

    private final String socket;
    private final Path exitCodeFile;

    private TmuxSession(String socket, Path exitCodeFile) {
        this.socket = socket;
        this.exitCodeFile = exitCodeFile;
    }

    public static boolean available() {
        try {
            Process version =
                    new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
            return version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs {@code command} in a new {@code width}x{@code height} terminal; the pane stays to be read after it
     * ends. The shell around it waits for it through Ctrl-C (a trap, which the command does not inherit) to
     * write down its exit code.
     */
    public static TmuxSession start(Path dir, String name, List<String> command, int width, int height)
            throws IOException, InterruptedException {
        return start(dir, name, command, width, height, Map.of(), "");
    }

    /**
     * The same with environment variables for the command (TERM, LANG, NO_COLOR: what a terminal user has set)
     * and shell lines to run after it, in the same terminal (to show that the terminal works again).
     */
    public static TmuxSession start(
            Path dir, String name, List<String> command, int width, int height, Map<String, String> env, String after)
            throws IOException, InterruptedException {
        Path script = dir.resolve(name + ".sh");
        Path exitCode = dir.resolve(name + ".exit");
        StringBuilder exports = new StringBuilder();
        env.forEach((key, value) -> exports.append("export ")
                .append(key)
                .append('=')
                .append(quoted(value))
                .append('\n'));
        Files.writeString(
                script,
                "trap : INT\n"
                        + exports
                        + "cd " + quoted(dir.toString()) + "\n"
                        + command.stream().map(TmuxSession::quoted).collect(Collectors.joining(" ")) + "\n"
                        + "echo $? > " + quoted(exitCode.toString()) + "\n"
                        + after,
                StandardCharsets.UTF_8);
        Path config = dir.resolve(name + ".tmux.conf");
        Files.writeString(config, "set -g remain-on-exit on\nset -g history-limit 10000\n", StandardCharsets.UTF_8);
        TmuxSession session =
                new TmuxSession("lockstep-test-" + ProcessHandle.current().pid() + "-" + name, exitCode);
        session.tmux(
                "-f",
                config.toString(),
                "new-session",
                "-d",
                "-s",
                SESSION,
                "-x",
                Integer.toString(width),
                "-y",
                Integer.toString(height),
                "exec sh " + quoted(script.toString()));
        return session;
    }

    /** What the terminal shows now, one string per row, trailing blanks removed. */
    public List<String> screen() throws IOException, InterruptedException {
        return capture("capture-pane", "-p", "-t", SESSION);
    }

    /** Everything the terminal showed, scrolled-off lines included. */
    public List<String> everything() throws IOException, InterruptedException {
        return capture("capture-pane", "-p", "-S", "-", "-t", SESSION);
    }

    /** Types {@code text} literally. */
    public void type(String text) throws IOException, InterruptedException {
        tmux("send-keys", "-t", SESSION, "-l", text);
    }

    /** Presses keys by tmux's names: Enter, C-c, C-d. */
    public void press(String... keys) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", SESSION));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /** The command's exit code once it ended. */
    public OptionalInt exitCode() throws IOException {
        if (!Files.exists(exitCodeFile)) {
            return OptionalInt.empty();
        }
        String written = Files.readString(exitCodeFile).strip();
        return written.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(written));
    }

    /**
     * Waits until the screen shows what is wanted and returns it; the timeout bounds a stuck run, it is not a
     * measurement.
     */
    public List<String> await(String what, Duration timeout, Predicate<List<String>> wanted)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> shown = screen();
            if (wanted.test(shown)) {
                return shown;
            }
            if (exitCode().isPresent() || System.nanoTime() > deadline) {
                fail(
                        "waited up to %ds for %s (exit code %s); the terminal shows:%n%s%nand before:%n%s",
                        timeout.toSeconds(),
                        what,
                        exitCode(),
                        String.join("\n", shown),
                        String.join("\n", everything()));
            }
            Thread.sleep(100);
        }
    }

    /** Waits for the command to end and returns its exit code. */
    public int awaitExit(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (exitCode().isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail(
                        "the command did not end within %ds; the terminal shows:%n%s",
                        timeout.toSeconds(), String.join("\n", everything()));
            }
            Thread.sleep(100);
        }
        return exitCode().getAsInt();
    }

    @Override
    public void close() {
        try {
            Path socketFile =
                    Path.of(tmux("display-message", "-p", "#{socket_path}").strip());
            // ends the server, and with it the pane's processes (SIGHUP), whatever state the test left them in
            tmux("kill-server");
            // tmux leaves the socket file behind; runs would pile them up in /tmp
            Files.deleteIfExists(socketFile);
        } catch (IOException alreadyGone) {
            // the server ended by itself: nothing is left to stop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> capture(String... args) throws IOException, InterruptedException {
        return tmux(args).lines().map(String::stripTrailing).toList();
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // a build started inside tmux must not talk to (or nest in) the user's own session
        builder.environment().remove("TMUX");
        Process tmux = builder.start();
        String output = new String(tmux.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!tmux.waitFor(30, TimeUnit.SECONDS) || tmux.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
