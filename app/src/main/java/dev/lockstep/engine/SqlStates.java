package dev.lockstep.engine;

import java.sql.SQLException;
import java.util.Set;

/** The SQLSTATEs the engine reacts to, and how it tells a lost session from a failed statement. */
final class SqlStates {

    static final String LOCK_NOT_AVAILABLE = "55P03";
    static final String DEADLOCK = "40P01";
    static final String QUERY_CANCELED = "57014";
    static final String SERIALIZATION_FAILURE = "40001";
    static final String NOT_NULL_VIOLATION = "23502";
    static final String FEATURE_NOT_SUPPORTED = "0A000";
    static final String SYNTAX_ERROR = "42601";

    private static final Set<String> SESSION_ENDED = Set.of("57P01", "57P02", "57P03");

    private SqlStates() {}

    static boolean connectionLost(SQLException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || SESSION_ENDED.contains(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    static String of(SQLException e) {
        return e.getSQLState() == null ? "" : e.getSQLState();
    }
}
