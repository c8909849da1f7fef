package dev.lockstep.pg;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Which server a session reached and what its role may see: the evidence bundle records it, the probes
 * adapt to the version, and a {@code --standby} that is not in recovery is flagged.
 *
 * @param systemIdentifier null when the role may not call pg_control_system()
 * @param hiddenBecause empty when {@code seesAllActivity}; otherwise what the probes cannot see, and why
 */
public record ServerIdentity(
        String version,
        int versionNum,
        String systemIdentifier,
        String database,
        String user,
        boolean inRecovery,
        boolean seesAllActivity,
        List<String> hiddenBecause) {

    public ServerIdentity {
        hiddenBecause = List.copyOf(hiddenBecause);
    }

    private static final String IDENTITY_QUERY = "select current_setting('server_version'),"
            + " current_setting('server_version_num')::int, current_database(), current_user,"
            + " pg_is_in_recovery(),"
            + " coalesce((select rolsuper from pg_roles where rolname = current_user), false),"
            + " pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')";

    /** Reads the identity with a few catalog calls; takes no lock on any user table. */
    public static ServerIdentity read(Connection connection) {
        try (Statement statement = connection.createStatement()) {
            String version;
            int versionNum;
            String database;
            String user;
            boolean inRecovery;
            boolean superuser;
            boolean readAllStats;
            try (ResultSet row = statement.executeQuery(IDENTITY_QUERY)) {
                row.next();
                // "17.6 (Debian 17.6-1.pgdg12+1)" → "17.6"
                version = row.getString(1).strip().split("\\s+", 2)[0];
                versionNum = row.getInt(2);
                database = row.getString(3);
                user = row.getString(4);
                inRecovery = row.getBoolean(5);
                superuser = row.getBoolean(6);
                readAllStats = row.getBoolean(7);
            }
            String systemIdentifier = systemIdentifier(connection);
            boolean seesAll = superuser || readAllStats;
            List<String> hidden = new ArrayList<>();
            if (!seesAll) {
                hidden.add("query text, state and wait details of other roles' sessions in pg_stat_activity"
                        + " (needs pg_read_all_stats or pg_monitor)");
                hidden.add("other roles' rows in the pg_stat_progress_* views (needs pg_read_all_stats)");
                hidden.add("client address and lag columns of pg_stat_replication and the details of"
                        + " pg_stat_wal_receiver (needs pg_read_all_stats)");
            }
            if (systemIdentifier == null) {
                hidden.add("the system identifier (pg_control_system() is not granted to " + user + ")");
            }
            return new ServerIdentity(
                    version, versionNum, systemIdentifier, database, user, inRecovery, seesAll, hidden);
        } catch (SQLException e) {
            throw new LockstepException(
                    ExitCode.DATABASE_UNREACHABLE, "cannot read the server identity: " + e.getMessage(), e);
        }
    }

    private static String systemIdentifier(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("select system_identifier::text from pg_control_system()")) {
            return row.next() ? row.getString(1) : null;
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                if (!connection.getAutoCommit()) {
                    connection.rollback();
                }
                return null;
            }
            throw e;
        }
    }
}
