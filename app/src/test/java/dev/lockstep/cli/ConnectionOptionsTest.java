package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.HostPort;
import dev.lockstep.pg.PgEnvironment;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class ConnectionOptionsTest {
    @TempDir
    Path home;

    @Command(name = "probe")
    static final class ProbeCommand {
        @Mixin
        ConnectionOptions connection;
    }

    private ConnectionOptions parse(String... args) {
        ProbeCommand command = new ProbeCommand();
        new CommandLine(command).parseArgs(args);
        return command.connection;
    }

    private PgEnvironment environment(Map<String, String> variables) {
        Map<String, String> withSysconf = new java.util.HashMap<>(variables);
        withSysconf.put("PGSYSCONFDIR", home.toString());
        return new PgEnvironment(withSysconf::get, home, "osuser", warning -> {});
    }

    @Test
    void readsThePrimaryAndEveryStandby() {
        ConnectionOptions options = parse(
                "--db", "postgresql://app@primary:5432/shop",
                "--standby", "host=replica1 dbname=shop",
                "--standby", "jdbc:postgresql://replica2:5433/shop");

        PgEnvironment env = environment(Map.of());

        assertThat(options.primary(env).host()).isEqualTo("primary");
        assertThat(options.standbys(env))
                .extracting(settings -> settings.hosts().get(0))
                .containsExactly(new HostPort("replica1", 5432), new HostPort("replica2", 5433));
    }

    @Test
    void fallsBackToTheEnvironmentWithoutDb() {
        ConnectionOptions options = parse();

        ConnectionSettings primary = options.primary(environment(Map.of("PGHOST", "envhost", "PGDATABASE", "envdb")));

        assertThat(primary.host()).isEqualTo("envhost");
        assertThat(primary.database()).isEqualTo("envdb");
        assertThat(options.standbys(environment(Map.of()))).isEmpty();
    }

    @Test
    void namesTheOptionAndThePlaceOfAMalformedString() {
        ConnectionOptions options = parse("--standby", "host=h dbname='shop");

        assertThatThrownBy(() -> options.standbys(environment(Map.of())))
                .isInstanceOf(LockstepException.class)
                .hasMessage("invalid --standby: unterminated quoted value in key=value string at position 15")
                .satisfies(e -> assertThat(((LockstepException) e).exitCode()).isEqualTo(ExitCode.USAGE));
    }

    @Test
    void hasNoPasswordOption() {
        assertThatThrownBy(() -> parse("--password", "secret"))
                .isInstanceOf(CommandLine.UnmatchedArgumentException.class);
    }
}
