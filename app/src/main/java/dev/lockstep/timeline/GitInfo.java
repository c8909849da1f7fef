package dev.lockstep.timeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** The git commit of the repository a runbook lives in, for the open record and the evidence. */
public final class GitInfo {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final long TIMEOUT_SECONDS = 5;

    private GitInfo() {}

    /**
     * {@code git rev-parse HEAD} in the directory of {@code path} (a file or a directory), or null when it
     * is not in a git repository, git is not installed, or git does not answer within a few seconds.
     */
    public static String commitOf(Path path) {
        Path directory = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        if (directory == null) {
            return null;
        }
        Process process;
        try {
            process = new ProcessBuilder("git", "rev-parse", "HEAD")
                    .directory(directory.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return null;
        }
        try (InputStream out = process.getInputStream()) {
            process.getOutputStream().close();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            String commit = new String(out.readNBytes(200), StandardCharsets.US_ASCII).strip();
            return process.exitValue() == 0 && COMMIT.matcher(commit).matches() ? commit : null;
        } catch (IOException e) {
            process.destroyForcibly();
            return null;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
