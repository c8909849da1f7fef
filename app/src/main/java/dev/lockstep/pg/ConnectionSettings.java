package dev.lockstep.pg;

import dev.lockstep.LockstepException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Where and as whom to connect, resolved the way libpq resolves a connection string: the {@code CONN}
 * string first, then the service file section it or PGSERVICE names, then the PG* environment
 * variables, then the built-in defaults; the password from the string, the service, PGPASSWORD, and
 * finally the password file. See {@code docs/connections.md}.
 *
 * @param hosts the servers to try in order (at least one)
 * @param password null when none was found anywhere; the server may not ask for one
 * @param options every other libpq keyword that was set (connect_timeout, options, sslrootcert,
 *     target_session_attrs, ...) and driver properties given in a JDBC URL
 */
public record ConnectionSettings(
        List<HostPort> hosts,
        String database,
        String user,
        Secret password,
        String sslMode,
        String applicationName,
        Map<String, String> options) {

    private static final Set<String> RESOLVED_KEYWORDS =
            Set.of("host", "port", "dbname", "user", "password", "sslmode", "application_name");

    public ConnectionSettings {
        hosts = List.copyOf(hosts);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("at least one host");
        }
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(sslMode, "sslMode");
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** Parses {@code conn} with the real environment, home directory and files. */
    public static ConnectionSettings parse(String conn) {
        return parse(conn, PgEnvironment.system());
    }

    /**
     * Parses {@code conn} (a {@code postgresql://} URI, a libpq key=value string, a
     * {@code jdbc:postgresql:} URL, a bare database name, or empty) and fills the rest from {@code env}.
     *
     * @throws LockstepException with exit code USAGE when the string or the service file is malformed
     */
    public static ConnectionSettings parse(String conn, PgEnvironment env) {
        Objects.requireNonNull(conn, "conn");
        Map<String, String> values = ConnInfoParser.parse(conn);

        String service = values.containsKey("service")
                ? values.get("service")
                : env.getenv().apply("PGSERVICE");
        if (service != null && !service.isEmpty()) {
            ServiceFile.settingsOf(service, env).forEach(values::putIfAbsent);
        }
        for (Map.Entry<String, String> keyword : Keywords.ENVIRONMENT.entrySet()) {
            if (keyword.getValue() != null && !values.containsKey(keyword.getKey())) {
                String fromEnvironment = env.getenv().apply(keyword.getValue());
                if (fromEnvironment != null) {
                    values.put(keyword.getKey(), fromEnvironment);
                }
            }
        }
        if (!values.containsKey("sslmode")) {
            String requireSsl = env.getenv().apply("PGREQUIRESSL");
            if (requireSsl != null && requireSsl.startsWith("1")) {
                values.put("sslmode", "require");
            }
        }

        List<HostPort> hosts = hostsOf(values.getOrDefault("host", ""), values.getOrDefault("port", ""));
        String user = nonEmpty(values.get("user"), env.osUser());
        String database = nonEmpty(values.get("dbname"), user);
        String sslMode = nonEmpty(values.get("sslmode"), "prefer");
        if (!Keywords.SSL_MODES.contains(sslMode)) {
            throw LockstepException.usage("invalid sslmode \"" + sslMode + "\"; expected one of disable, allow, "
                    + "prefer, require, verify-ca, verify-full");
        }
        String applicationName = values.get("application_name");

        Secret password = null;
        String given = values.get("password");
        if (given != null && !given.isEmpty()) {
            password = Secret.of(given);
        } else {
            String passfile = values.get("passfile");
            Path file = passfile != null && !passfile.isEmpty()
                    ? Path.of(passfile)
                    : env.home().resolve(".pgpass");
            password =
                    PgPassFile.lookup(file, hosts.get(0), database, user, env).orElse(null);
        }

        Map<String, String> options = new LinkedHashMap<>(values);
        options.keySet().removeAll(RESOLVED_KEYWORDS);
        return new ConnectionSettings(hosts, database, user, password, sslMode, applicationName, options);
    }

    /** libpq pairs a list of hosts with one port for all or one port per host; empty entries take defaults. */
    private static List<HostPort> hostsOf(String hostList, String portList) {
        String[] hostNames = hostList.split(",", -1);
        String[] portNumbers = portList.split(",", -1);
        if (portNumbers.length != 1 && portNumbers.length != hostNames.length) {
            throw LockstepException.usage(
                    "could not match " + portNumbers.length + " port numbers to " + hostNames.length + " hosts");
        }
        List<HostPort> hosts = new ArrayList<>();
        for (int i = 0; i < hostNames.length; i++) {
            String host = hostNames[i].strip().isEmpty() ? "localhost" : hostNames[i].strip();
            String port = (portNumbers.length == 1 ? portNumbers[0] : portNumbers[i]).strip();
            hosts.add(new HostPort(host, port.isEmpty() ? HostPort.DEFAULT_PORT : portNumber(port)));
        }
        return hosts;
    }

    private static int portNumber(String port) {
        try {
            int number = Integer.parseInt(port);
            if (number >= 1 && number <= 65535) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw LockstepException.usage("invalid port number \"" + port + "\"; expected 1 to 65535");
    }

    private static String nonEmpty(String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }

    public String host() {
        return hosts.get(0).host();
    }

    public int port() {
        return hosts.get(0).port();
    }

    /** The connect_timeout keyword in seconds, or 0 when unset (libpq: 0 waits forever). */
    public int connectTimeoutSeconds() {
        String value = options.get("connect_timeout");
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(value.strip()));
        } catch (NumberFormatException e) {
            throw LockstepException.usage("invalid connect_timeout \"" + value + "\"; expected whole seconds");
        }
    }

    public ConnectionSettings withApplicationName(String name) {
        return new ConnectionSettings(hosts, database, user, password, sslMode, name, options);
    }

    /** {@code postgresql://user@host:port/db?sslmode=...}: what the operator needs to recognise the target. */
    public String displayUri() {
        StringJoiner addresses = new StringJoiner(",");
        hosts.forEach(address -> addresses.add(address.authority(false)));
        StringBuilder uri = new StringBuilder("postgresql://")
                .append(ConnInfoParser.percentEncode(user))
                .append('@')
                .append(addresses)
                .append('/')
                .append(ConnInfoParser.percentEncode(database))
                .append("?sslmode=")
                .append(sslMode);
        String targetSessionAttrs = options.get("target_session_attrs");
        if (targetSessionAttrs != null) {
            uri.append("&target_session_attrs=").append(ConnInfoParser.percentEncode(targetSessionAttrs));
        }
        return uri.toString();
    }

    /** Never contains the password or any other secret keyword. */
    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(options);
        shown.replaceAll((keyword, value) -> Keywords.SECRET.contains(keyword) ? "********" : value);
        return "ConnectionSettings[" + displayUri() + ", password=" + (password == null ? "none" : "********")
                + ", applicationName=" + applicationName + ", options=" + shown + "]";
    }
}
