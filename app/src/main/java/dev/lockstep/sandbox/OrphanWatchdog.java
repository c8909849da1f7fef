package dev.lockstep.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stops a sandbox's servers when the process that started them dies without closing the sandbox (SIGKILL, the
 * OOM killer, a container stop): the shutdown hook never runs then, and two postmasters would go on holding
 * their ports, memory and temporary directory until someone finds them.
 *
 * <p>A small shell process outside the JVM checks once a second that its owner is alive. When the owner is gone
 * it sends each server an immediate shutdown (SIGQUIT), then SIGKILL to what is left after a grace period, and
 * removes a temporary sandbox directory. A server is signalled only when the process named in its
 * {@code postmaster.pid} is still a postgres of that data directory ({@code /proc/PID/cmdline}), so a reused pid
 * is never hit. The watchdog runs in its own session ({@code setsid}), so a terminal's Ctrl-C or hang-up, which
 * the JVM answers by closing the sandbox itself, does not take it down first. Closing the sandbox normally
 * ends the watchdog.
 */
final class OrphanWatchdog implements AutoCloseable {

    private static final String SCRIPT =
            """
            owner=$1; root=$2; temporary=$3; shift 3
            while kill -0 "$owner" 2>/dev/null; do sleep 1; done
            ours() {
                pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null) || return 1
                case "$pid" in ''|*[!0-9]*) return 1;; esac
                tr '\\000' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$1" || return 1
                echo "$pid"
            }
            for dir in "$@"; do pid=$(ours "$dir") && kill -QUIT "$pid" 2>/dev/null; done
            for _ in 1 2 3 4 5 6 7 8 9 10; do
                left=0
                for dir in "$@"; do ours "$dir" >/dev/null && left=1; done
                [ "$left" = 0 ] && break
                sleep 1
            done
            for dir in "$@"; do pid=$(ours "$dir") && kill -KILL "$pid" 2>/dev/null; done
            if [ "$temporary" = true ]; then sleep 1; rm -rf -- "$root"; fi
            """;

    private final Process process;

    private OrphanWatchdog(Process process) {
        this.process = process;
    }

    /**
     * Watches this process on behalf of the servers in {@code dataDirs}; empty when no shell can be started (the
     * sandbox still works, with the shutdown hook as its only cleanup).
     */
    static Optional<OrphanWatchdog> start(Path root, boolean temporary, List<Path> dataDirs) {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.addAll(List.of(
                "/bin/sh",
                "-c",
                SCRIPT,
                "lockstep-sandbox-watchdog",
                Long.toString(ProcessHandle.current().pid()),
                root.toString(),
                Boolean.toString(temporary)));
        dataDirs.forEach(dir -> command.add(dir.toString()));
        try {
            return Optional.of(new OrphanWatchdog(new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectErrorStream(true)
                    .start()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The sandbox closed itself: nothing is left to watch. */
    @Override
    public void close() {
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }
}
