package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorKeyTest {
    @TempDir
    Path dir;

    @Test
    void savedKeyIsOwnerOnlyAndLoadsBackWithItsPublicHalf() throws IOException {
        OperatorKey key = OperatorKey.generate();
        Path file = dir.resolve("keys/op.key");

        key.save(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        assertThat(OperatorKey.load(file).publicKey()).isEqualTo(key.publicKey());
        assertThat(OperatorPublicKey.load(dir.resolve("keys/op.key.pub"))).isEqualTo(key.publicKey());
        assertThat(Files.readString(dir.resolve("keys/op.key.pub"))).contains(key.fingerprint());
    }

    @Test
    void refusesToOverwrite() {
        Path file = dir.resolve("op.key");
        OperatorKey.generate().save(file);

        assertThatThrownBy(() -> OperatorKey.generate().save(file))
                .isInstanceOf(LockstepException.class)
                .hasMessageContaining("already exists");
    }

    @Test
    void refusesAKeyOthersCanRead() throws IOException {
        Path file = dir.resolve("op.key");
        OperatorKey.generate().save(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> OperatorKey.load(file))
                .isInstanceOf(LockstepException.class)
                .hasMessageContaining("UNPROTECTED PRIVATE KEY FILE")
                .hasMessageContaining("0644")
                .hasMessageContaining("chmod 600");
    }

    @Test
    void locateSaysHowToMakeAKeyWhenThereIsNone() {
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", dir.toString());

        assertThatThrownBy(() -> OperatorKey.locate(null, env))
                .isInstanceOf(LockstepException.class)
                .hasMessageContaining("lockstep keygen --out " + dir.resolve("lockstep/operator.key"))
                .hasMessageContaining("--unsigned")
                .satisfies(e -> assertThat(((LockstepException) e).exitCode()).isEqualTo(ExitCode.USAGE));
    }

    @Test
    void locatePrefersExplicitThenEnvironmentThenDefault() {
        OperatorKey explicit = OperatorKey.generate();
        OperatorKey fromEnv = OperatorKey.generate();
        OperatorKey fallback = OperatorKey.generate();
        explicit.save(dir.resolve("explicit.key"));
        fromEnv.save(dir.resolve("env.key"));
        fallback.save(dir.resolve("lockstep/operator.key"));
        Map<String, String> env = Map.of(
                "XDG_CONFIG_HOME",
                dir.toString(),
                "LOCKSTEP_KEY",
                dir.resolve("env.key").toString());

        assertThat(OperatorKey.locate(dir.resolve("explicit.key"), env).publicKey())
                .isEqualTo(explicit.publicKey());
        assertThat(OperatorKey.locate(null, env).publicKey()).isEqualTo(fromEnv.publicKey());
        assertThat(OperatorKey.locate(null, Map.of("XDG_CONFIG_HOME", dir.toString()))
                        .publicKey())
                .isEqualTo(fallback.publicKey());
    }
}
