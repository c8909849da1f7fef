package dev.lockstep.pg.internal;

import java.util.Properties;
import org.postgresql.plugin.AuthenticationPlugin;
import org.postgresql.plugin.AuthenticationRequestType;

/**
 * The only source of the password the driver sends: the one Lockstep resolved as libpq does (CONN, the
 * service file, PGPASSWORD, the password file it read and judged safe), or none.
 *
 * <p>Why a plugin: when its {@code password} property is unset, pgjdbc reads {@code ~/.pgpass} (or
 * PGPASSFILE) itself, without libpq's permission check and without honouring {@code passfile=}, and sends
 * what it found. A password file Lockstep ignored (group- or world-readable, as psql ignores it) would
 * log in anyway. With an authentication plugin set, the driver asks the plugin and never uses its own
 * lookup; this one answers with {@value #PROPERTY} from the connection properties, and with nothing when
 * Lockstep found no password, so the server's request fails as psql's does ("no password supplied").
 *
 * <p>Public only because the driver instantiates it by name.
 */
public final class ResolvedPasswordPlugin implements AuthenticationPlugin {
    /** The connection property that carries the resolved password to the plugin; absent when none. */
    public static final String PROPERTY = "lockstep.resolvedPassword";

    private final String password;

    /** Called by the driver with the connection's properties. */
    public ResolvedPasswordPlugin(Properties info) {
        this.password = info.getProperty(PROPERTY);
    }

    @Override
    public char[] getPassword(AuthenticationRequestType type) {
        // the driver zeroes the array after use
        return password == null ? null : password.toCharArray();
    }
}
