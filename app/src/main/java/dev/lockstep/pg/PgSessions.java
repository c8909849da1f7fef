package dev.lockstep.pg;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.pg.internal.ResolvedPasswordPlugin;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import org.postgresql.Driver;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Opens Lockstep's own database sessions: bounded, labelled, and failing with one clear line. */
public final class PgSessions {
    private static final Driver DRIVER = new Driver();

    /** libpq keyword → pgjdbc property, for those the driver understands under another name. */
    private static final Map<String, String> LIBPQ_TO_JDBC = Map.of(
            "sslcert", "sslcert",
            "sslkey", "sslkey",
            "sslrootcert", "sslrootcert",
            "sslpassword", "sslpassword",
            "gssencmode", "gssEncMode",
            "channel_binding", "channelBinding");

    /** Properties Lockstep sets itself; a JDBC URL's own values for these are overridden. */
    private static final Set<String> CONTROLLED = Set.of(
            "user",
            "password",
            "authenticationPluginClassName",
            ResolvedPasswordPlugin.PROPERTY,
            "ApplicationName",
            "connectTimeout",
            "socketTimeout",
            "loginTimeout",
            "tcpKeepAlive",
            "sslmode",
            "options",
            "targetServerType");

    private PgSessions() {}

    /**
     * Opens a connection to the first host that accepts it, in autocommit mode.
     *
     * @throws LockstepException DATABASE_UNREACHABLE with one line naming {@link ConnectionSettings#displayUri()}
     *     and the reason; never the password
     */
    public static Connection open(ConnectionSettings settings, SessionLimits limits) {
        Properties properties = properties(settings, limits);
        try {
            Connection connection = DRIVER.connect(jdbcUrl(settings), properties);
            if (connection == null) {
                throw new LockstepException(
                        ExitCode.INTERNAL_ERROR, "the PostgreSQL driver refused the URL it was built for");
            }
            return connection;
        } catch (SQLException e) {
            LockstepException unreachable = LockstepException.unreachable(
                    "cannot connect to " + settings.displayUri() + ": " + reason(e, settings), null);
            // the driver's exception stays reachable for --stacktrace without lengthening the one line
            unreachable.addSuppressed(e);
            throw unreachable;
        }
    }

    static String jdbcUrl(ConnectionSettings settings) {
        StringJoiner addresses = new StringJoiner(",");
        settings.hosts().forEach(address -> addresses.add(address.authority(true)));
        return "jdbc:postgresql://" + addresses + "/"
                + URLEncoder.encode(settings.database(), StandardCharsets.UTF_8).replace("+", "%20");
    }

    static Properties properties(ConnectionSettings settings, SessionLimits limits) {
        Properties properties = new Properties();
        Map<String, String> options = settings.options();
        options.forEach((key, value) -> {
            if (LIBPQ_TO_JDBC.containsKey(key)) {
                properties.setProperty(LIBPQ_TO_JDBC.get(key), value);
            } else if (!Keywords.known(key) && !CONTROLLED.contains(key)) {
                // a driver property from a JDBC URL
                properties.setProperty(key, value);
            }
        });
        properties.setProperty("user", settings.user());
        // The password is Lockstep's to resolve (libpq's rules, a password file it ignored stays ignored):
        // the plugin hands the driver that one or none, never one the driver looked up on its own.
        properties.setProperty("authenticationPluginClassName", ResolvedPasswordPlugin.class.getName());
        if (settings.password() != null) {
            properties.setProperty(
                    ResolvedPasswordPlugin.PROPERTY, settings.password().reveal());
            // set, it also spares the driver its own reading of the password file
            properties.setProperty("password", settings.password().reveal());
        }
        properties.setProperty("sslmode", settings.sslMode());
        // Lockstep's sessions are always recognisable by their label, whatever the CONN says
        properties.setProperty("ApplicationName", limits.applicationName());
        int connectSeconds = settings.connectTimeoutSeconds() > 0
                ? settings.connectTimeoutSeconds()
                : wholeSeconds(limits.connectTimeout());
        properties.setProperty("connectTimeout", Integer.toString(connectSeconds));
        properties.setProperty("loginTimeout", Integer.toString(connectSeconds));
        properties.setProperty("socketTimeout", Integer.toString(wholeSeconds(limits.socketTimeout())));
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("options", startupOptions(options.get("options"), limits));
        String targetSessionAttrs = options.get("target_session_attrs");
        if (targetSessionAttrs != null) {
            properties.setProperty("targetServerType", targetServerType(targetSessionAttrs));
        }
        if ("random".equals(options.get("load_balance_hosts"))) {
            properties.setProperty("loadBalanceHosts", "true");
        }
        return properties;
    }

    /** The user's options (PGOPTIONS or options=) first, Lockstep's timeouts after them so that they win. */
    static String startupOptions(String userOptions, SessionLimits limits) {
        StringJoiner joined = new StringJoiner(" ");
        if (userOptions != null && !userOptions.isBlank()) {
            joined.add(userOptions.strip());
        }
        joined.add("-c statement_timeout=" + limits.statementTimeout().toMillis());
        joined.add("-c lock_timeout=" + limits.lockTimeout().toMillis());
        joined.add("-c idle_in_transaction_session_timeout="
                + limits.idleInTransactionTimeout().toMillis());
        return joined.toString();
    }

    private static String targetServerType(String targetSessionAttrs) {
        switch (targetSessionAttrs) {
            case "any":
                return "any";
            case "read-write":
            case "primary":
                return "primary";
            case "read-only":
            case "standby":
                return "secondary";
            case "prefer-standby":
                return "preferSecondary";
            default:
                throw LockstepException.usage("invalid target_session_attrs \"" + targetSessionAttrs
                        + "\"; expected any, read-write, read-only, primary, standby or prefer-standby");
        }
    }

    private static int wholeSeconds(Duration duration) {
        long millis = duration.toMillis();
        return (int) Math.min(Integer.MAX_VALUE, (millis + 999) / 1000);
    }

    /** The reason class an operator can act on, from the SQLSTATE or the network cause. */
    static String reason(SQLException e, ConnectionSettings settings) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String serverMessage = serverMessage(e);
        switch (state) {
            case "28P01":
                return "password authentication failed for user \"" + settings.user() + "\"";
            case "3D000":
                return "database \"" + settings.database() + "\" does not exist";
            case "53300":
                return "too many connections (" + serverMessage + ")";
            case "57P03":
                return "the server is starting up or shutting down (" + serverMessage + ")";
            default:
                break;
        }
        if (state.equals("28000") && serverMessage != null) {
            if (serverMessage.contains("pg_hba.conf")) {
                return "pg_hba.conf does not allow this connection (" + serverMessage + ")";
            }
            return "authorization failed (" + serverMessage + ")";
        }
        if (serverMessage != null) {
            return serverMessage + " (SQLSTATE " + state + ")";
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
                return "connection refused (is the server running and accepting TCP/IP connections on that "
                        + "host and port?)";
            }
            if (cause instanceof UnknownHostException) {
                return "host not found";
            }
            if (cause instanceof SocketTimeoutException) {
                return "timed out";
            }
            if (cause == cause.getCause()) {
                break;
            }
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("does not support SSL")) {
            return "TLS required (sslmode=" + settings.sslMode() + ") but the server does not support it";
        }
        if (message.contains("timed out")) {
            return "timed out";
        }
        if (message.contains("no password was provided")) {
            return "the server asks for a password and none was found (CONN, PGPASSWORD or the password file)";
        }
        return message + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
    }

    private static String serverMessage(SQLException e) {
        if (e instanceof PSQLException psql) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            if (server != null && server.getMessage() != null) {
                return server.getMessage();
            }
        }
        return null;
    }
}
