package dev.lockstep.sandbox;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How to start a {@link Sandbox}.
 *
 * @param dir where the data lives and is kept (and reused on the next start); empty: a temporary
 *     directory removed by {@link Sandbox#close()}
 * @param pgMajor the PostgreSQL major version (13..18)
 * @param binaries where the PostgreSQL bundle of that major is found
 * @param progress receives one line per start-up step ("initdb", "starting the standby", ...)
 */
public record SandboxConfig(Optional<Path> dir, int pgMajor, PgBinariesLocator binaries, Consumer<String> progress) {

    public SandboxConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(binaries, "binaries");
        Objects.requireNonNull(progress, "progress");
    }

    /** A temporary sandbox of the default major, found the standard way, starting silently. */
    public static SandboxConfig defaults() {
        return new SandboxConfig(
                Optional.empty(), PgBinariesLocator.defaultMajor(), PgBinariesLocator.standard(), line -> {});
    }

    public SandboxConfig withDir(Path dir) {
        return new SandboxConfig(Optional.of(dir), pgMajor, binaries, progress);
    }

    public SandboxConfig withPgMajor(int major) {
        return new SandboxConfig(dir, major, binaries, progress);
    }

    public SandboxConfig withProgress(Consumer<String> progress) {
        return new SandboxConfig(dir, pgMajor, binaries, progress);
    }
}
