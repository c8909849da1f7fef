package dev.lockstep.sandbox;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL's programs refuse to run as root. As root we run them under {@code unshare -U}: in a fresh
 * user namespace without a mapping the process is "nobody", root-owned files show as owned by it, and
 * the kernel still checks access as the real (root) user.
 */
final class RootUser {
    private static volatile Boolean unshareWorks;

    private RootUser() {}

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    static List<String> unsharePrefix() {
        if (unshareWorks == null) {
            unshareWorks = probeUnshare();
        }
        if (!unshareWorks) {
            throw new LockstepException(
                    ExitCode.INTERNAL_ERROR,
                    "PostgreSQL refuses to run as root and 'unshare -U' (util-linux) does not work here:"
                            + " run lockstep as a normal user");
        }
        return List.of("unshare", "-U");
    }

    private static boolean probeUnshare() {
        try {
            Process probe = new ProcessBuilder("unshare", "-U", "true")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
