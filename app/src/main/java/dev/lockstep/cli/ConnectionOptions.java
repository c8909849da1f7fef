package dev.lockstep.cli;

import dev.lockstep.LockstepException;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.PgEnvironment;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --db CONN} and {@code --standby CONN}... for the commands that talk to PostgreSQL. There is
 * deliberately no password option: a password comes from the CONN string, PGPASSWORD, the service file
 * or the password file, and is never printed. Use with {@code @Mixin ConnectionOptions connection;}.
 */
public final class ConnectionOptions {

    @Option(
            names = "--db",
            paramLabel = "CONN",
            description = "The primary: a postgresql:// URI, a libpq key=value string, a jdbc:postgresql: URL "
                    + "or a database name. Unset parts come from PGHOST, PGPORT, PGUSER, PGDATABASE, "
                    + "PGPASSWORD, PGSERVICE and ~/.pgpass, as with psql.")
    String db;

    @Option(
            names = "--standby",
            paramLabel = "CONN",
            description = "A streaming standby to watch (repeatable); same forms as --db.")
    List<String> standbys = new ArrayList<>();

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** The primary's settings from the real environment; libpq-style warnings go to the command's stderr. */
    public ConnectionSettings primary() {
        return primary(environment());
    }

    public List<ConnectionSettings> standbys() {
        return standbys(environment());
    }

    /**
     * @throws LockstepException exit code USAGE naming the option when the string is malformed
     */
    public ConnectionSettings primary(PgEnvironment env) {
        return parse("--db", db == null ? "" : db, env);
    }

    public List<ConnectionSettings> standbys(PgEnvironment env) {
        List<ConnectionSettings> settings = new ArrayList<>();
        for (String standby : standbys) {
            settings.add(parse("--standby", standby, env));
        }
        return List.copyOf(settings);
    }

    private static ConnectionSettings parse(String option, String conn, PgEnvironment env) {
        try {
            return ConnectionSettings.parse(conn, env);
        } catch (LockstepException e) {
            throw new LockstepException(e.exitCode(), "invalid " + option + ": " + e.getMessage());
        }
    }

    private PgEnvironment environment() {
        PgEnvironment system = PgEnvironment.system();
        if (mixee == null) {
            return system;
        }
        PrintWriter err = mixee.commandLine().getErr();
        return system.withWarnings(warning -> {
            err.println("lockstep: warning: " + warning);
            err.flush();
        });
    }
}
