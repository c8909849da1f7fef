package dev.lockstep.pg;

/**
 * One server address of a connection. A host that starts with {@code /} is a Unix-socket directory as
 * libpq understands it; the JDBC driver cannot use sockets, so {@link #networkHost()} turns it into
 * {@code localhost} on the same port.
 */
public record HostPort(String host, int port) {
    public static final int DEFAULT_PORT = 5432;

    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public boolean isUnixSocket() {
        return host.startsWith("/");
    }

    /** The host the JDBC driver dials. */
    public String networkHost() {
        return isUnixSocket() ? "localhost" : host;
    }

    /** host:port for URIs, with IPv6 literals in brackets. */
    String authority(boolean forJdbc) {
        String name = forJdbc ? networkHost() : host;
        if (isUnixSocket() && !forJdbc) {
            name = ConnInfoParser.percentEncode(name);
        } else if (name.contains(":")) {
            name = "[" + name + "]";
        }
        return name + ":" + port;
    }

    @Override
    public String toString() {
        return authority(false);
    }
}
