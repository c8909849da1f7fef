package dev.lockstep.pg;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where libpq looks for defaults: environment variables, the home directory (for {@code ~/.pgpass} and
 * {@code ~/.pg_service.conf}), the operating-system user name (the default role), and a sink for the
 * warnings libpq would print (an insecure password file). Tests pass a fake one.
 */
public record PgEnvironment(Function<String, String> getenv, Path home, String osUser, Consumer<String> warnings) {

    /** Compiled-in PGSYSCONFDIR of Debian's libpq, used when the variable is unset. */
    static final String DEFAULT_SYSCONFDIR = "/etc/postgresql-common";

    public PgEnvironment {
        Objects.requireNonNull(getenv, "getenv");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(osUser, "osUser");
        Objects.requireNonNull(warnings, "warnings");
    }

    /** Environment and home directory as given, the process's user name, warnings to the platform logger. */
    public PgEnvironment(Function<String, String> getenv, Path home) {
        this(getenv, home, System.getProperty("user.name", ""), PgEnvironment::logWarning);
    }

    public static PgEnvironment system() {
        return new PgEnvironment(System::getenv, Path.of(System.getProperty("user.home", "/")));
    }

    public PgEnvironment withWarnings(Consumer<String> sink) {
        return new PgEnvironment(getenv, home, osUser, sink);
    }

    private static void logWarning(String message) {
        System.getLogger("dev.lockstep.pg").log(Level.WARNING, message);
    }
}
