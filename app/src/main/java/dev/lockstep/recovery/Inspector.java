package dev.lockstep.recovery;

import dev.lockstep.runbook.Durations;
import dev.lockstep.runbook.sql.SqlStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Classifies a failed attempt from its error and from the database as it is now: who holds the lock the
 * step wanted, whether an index it built was left INVALID, whether a constraint stayed NOT VALID, what
 * role and server it ran on. Reads only the catalog and pg_stat_activity, in a transaction of its own
 * under a short statement timeout, so inspecting can never queue behind application traffic.
 */
public final class Inspector {

    private static final int QUERY_TEXT = 160;

    private Inspector() {}

    /**
     * What the server says about a run that could not start there (the lease or the schema refused): the
     * role for a permission error, the server's role for a read-only one. Empty when it cannot be read.
     */
    public static List<Fact> atStart(Connection connection, FailureClass failureClass) {
        List<Fact> facts = new ArrayList<>();
        try {
            if (connection.isClosed()) {
                return facts;
            }
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
            if (failureClass == FailureClass.PERMISSION) {
                role(connection, facts);
            } else if (failureClass == FailureClass.READ_ONLY) {
                serverRole(connection, facts);
            }
        } catch (SQLException e) {
            facts.add(new Fact("inspection", "could not read the server: " + firstLine(e.getMessage())));
        }
        return facts;
    }

    /** The failure as classified; when the database cannot be read, from the error alone. */
    public static Failure inspect(Connection connection, FailedAttempt attempt) {
        List<Fact> facts = new ArrayList<>();
        List<Leftover> leftovers = new ArrayList<>();
        FailureClass failureClass =
                attempt.error() == null ? FailureClass.POST_CHECK_FAILED : FailureClass.ofSqlState(attempt.sqlState());
        String message = attempt.error() == null
                ? attempt.checkFailure()
                : firstLine(attempt.error().getMessage());
        fromError(attempt, facts);
        try {
            if (failureClass != FailureClass.CONNECTION_LOST && !connection.isClosed()) {
                inDatabase(connection, attempt, failureClass, facts, leftovers);
            }
        } catch (SQLException e) {
            facts.add(new Fact(
                    "inspection", "could not read the database after the failure: " + firstLine(e.getMessage())));
        }
        Applied applied = applied(attempt, leftovers);
        if (!leftovers.isEmpty() || (applied == Applied.PARTLY && !"backfill".equals(attempt.stepKind()))) {
            if (failureClass != FailureClass.PARTIAL_DDL) {
                facts.add(0, new Fact("cause", failureClass.id() + ": " + message));
            }
            failureClass = FailureClass.PARTIAL_DDL;
        }
        return new Failure(
                attempt.stepId(),
                attempt.stepKind(),
                attempt.attempt(),
                failureClass,
                attempt.sqlState(),
                message,
                applied,
                facts,
                leftovers);
    }

    /** Facts read from the database rather than from the error: inspecting again replaces them. */
    private static final Set<String> FROM_DATABASE = Set.of(
            "blocker_query",
            "blockers_now",
            "lock_wanted",
            "invalid_index",
            "not_valid",
            "role",
            "server",
            "inspection");

    /**
     * The failure as the database shows it now: the facts read from the database again (has the blocker
     * gone? is the INVALID index still there?), those from the error kept. {@code context} gives the step's
     * statements and table, as for the first inspection; its error is not used.
     */
    public static Failure reinspect(Connection connection, Failure old, FailedAttempt context) {
        List<Fact> facts = new ArrayList<>(old.facts().stream()
                .filter(fact ->
                        !FROM_DATABASE.contains(fact.name()) && !fact.name().startsWith("blocker"))
                .toList());
        FailureClass cause = old.failureClass();
        String causeFact = old.fact("cause");
        if (cause == FailureClass.PARTIAL_DDL && causeFact != null && causeFact.indexOf(':') > 0) {
            cause = FailureClass.ofId(causeFact.substring(0, causeFact.indexOf(':')));
        }
        List<Leftover> leftovers = new ArrayList<>();
        try {
            if (!connection.isClosed()) {
                inDatabase(connection, context, cause, facts, leftovers);
            }
        } catch (SQLException e) {
            facts.add(new Fact("inspection", "could not read the database: " + firstLine(e.getMessage())));
        }
        Applied applied = old.applied();
        FailureClass failureClass = cause;
        if (!leftovers.isEmpty()) {
            failureClass = FailureClass.PARTIAL_DDL;
        } else if (old.failureClass() == FailureClass.PARTIAL_DDL) {
            if (applied == Applied.PARTLY && context.statements().size() <= 1) {
                // what it left behind is gone (removed by hand): nothing of the step stays
                applied = Applied.NOTHING;
                facts.removeIf(fact -> fact.name().equals("cause"));
            } else {
                failureClass = FailureClass.PARTIAL_DDL;
            }
        }
        return new Failure(
                old.stepId(),
                old.stepKind(),
                old.attempt(),
                failureClass,
                old.sqlState(),
                old.message(),
                applied,
                facts,
                leftovers);
    }

    private static Applied applied(FailedAttempt attempt, List<Leftover> leftovers) {
        if ("backfill".equals(attempt.stepKind())) {
            return attempt.rowsCommitted() > 0 ? Applied.PARTLY : Applied.NOTHING;
        }
        if (!"sql".equals(attempt.stepKind()) || attempt.transactional()) {
            return Applied.NOTHING;
        }
        if (attempt.error() == null) {
            return Applied.ALL;
        }
        if (FailureClass.ofSqlState(attempt.sqlState()) == FailureClass.CONNECTION_LOST) {
            return Applied.UNKNOWN;
        }
        return attempt.completedOutsideTransaction() > 0 || !leftovers.isEmpty() ? Applied.PARTLY : Applied.NOTHING;
    }

    /** What the error itself says: where in the statement, which constraint, which key, the other session. */
    private static void fromError(FailedAttempt attempt, List<Fact> facts) {
        SqlStatement statement = attempt.statement();
        if (statement != null) {
            facts.add(new Fact("statement", abbreviate(statement.text().strip())));
        }
        if (attempt.statements().size() > 1 && attempt.failedStatement() >= 0) {
            facts.add(new Fact(
                    "statements_completed",
                    attempt.failedStatement() + " of " + attempt.statements().size() + " before the failing one"
                            + (attempt.transactional() ? " (rolled back with it)" : "")));
        }
        if (attempt.checkFailure() != null) {
            facts.add(new Fact("check", attempt.checkFailure()));
        }
        ServerErrorMessage server = attempt.error() instanceof PSQLException psql ? psql.getServerErrorMessage() : null;
        if (server != null) {
            if (server.getPosition() > 0) {
                facts.add(new Fact("position", "character " + server.getPosition() + " of the statement"));
            }
            if (server.getConstraint() != null) {
                facts.add(new Fact("constraint", server.getConstraint()));
            }
            if (server.getTable() != null) {
                facts.add(new Fact(
                        "table",
                        server.getSchema() == null ? server.getTable() : server.getSchema() + "." + server.getTable()));
            }
            if (server.getColumn() != null) {
                facts.add(new Fact("column", server.getColumn()));
            }
            if (server.getDetail() != null) {
                String name =
                        switch (FailureClass.ofSqlState(attempt.sqlState())) {
                                // a deadlock's detail names the processes; a serialization failure's is a reason code:
                                // PostgreSQL names no other transaction for 40001
                            case DEADLOCK -> "other_session";
                            case UNIQUE_VIOLATION,
                                    CHECK_VIOLATION,
                                    NOT_NULL_VIOLATION,
                                    FOREIGN_KEY_VIOLATION -> "offending_row";
                            default -> "detail";
                        };
                facts.add(new Fact(name, server.getDetail().replace('\n', ' ')));
            }
            if (server.getHint() != null) {
                facts.add(new Fact("hint", server.getHint()));
            }
        }
        if (attempt.batch() != null) {
            facts.add(new Fact(
                    "batch",
                    "keys after " + attempt.batch().from() + " up to "
                            + attempt.batch().to() + " (" + attempt.batch().size()
                            + " keys); committed batches stay committed"));
        }
        FailureClass byState = FailureClass.ofSqlState(attempt.sqlState());
        if (byState == FailureClass.STATEMENT_TIMEOUT) {
            String limit = attempt.statementTimeout() == null
                            || attempt.statementTimeout().isZero()
                    ? "no statement timeout (cancelled by an operator or a stop)"
                    : Durations.format(attempt.statementTimeout());
            facts.add(new Fact(
                    "elapsed", Durations.format(seconds(attempt.elapsed())) + " against a timeout of " + limit));
        }
        if (byState == FailureClass.LOCK_TIMEOUT && attempt.lockTimeout() != null) {
            facts.add(new Fact("lock_timeout", Durations.format(attempt.lockTimeout())));
        }
        if (byState == FailureClass.OUT_OF_RESOURCES) {
            facts.add(new Fact("ran_out_of", ranOutOf(attempt.sqlState())));
        }
    }

    private static void inDatabase(
            Connection connection,
            FailedAttempt attempt,
            FailureClass failureClass,
            List<Fact> facts,
            List<Leftover> leftovers)
            throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        if (!autoCommit) {
            connection.rollback();
        }
        connection.setAutoCommit(false);
        try (Statement settings = connection.createStatement()) {
            settings.execute("set local statement_timeout = '5s'");
            settings.execute("set local lock_timeout = '1s'");
            invalidIndexes(connection, attempt, facts, leftovers);
            switch (failureClass) {
                    // a serialization failure is no lock wait: who holds a lock on the table now says nothing about it
                case LOCK_TIMEOUT, DEADLOCK -> blockers(connection, attempt, facts);
                case PERMISSION -> role(connection, facts);
                case READ_ONLY -> serverRole(connection, facts);
                case CHECK_VIOLATION, FOREIGN_KEY_VIOLATION, NOT_NULL_VIOLATION, UNIQUE_VIOLATION -> notValidConstraint(
                        connection, attempt, facts);
                default -> {}
            }
        } finally {
            connection.rollback();
            connection.setAutoCommit(autoCommit);
        }
    }

    /** An index CREATE INDEX CONCURRENTLY built and left INVALID: retrying over it fails or skips it. */
    private static void invalidIndexes(
            Connection connection, FailedAttempt attempt, List<Fact> facts, List<Leftover> leftovers)
            throws SQLException {
        for (SqlStatement statement : attempt.statements()) {
            Optional<String> name = statement.createdIndex();
            if (name.isEmpty() || !statement.words().contains("CONCURRENTLY")) {
                continue;
            }
            try (PreparedStatement query = connection.prepareStatement("select i.indexrelid::regclass::text,"
                    + " i.indrelid::regclass::text from pg_index i where i.indexrelid = to_regclass(?) and not"
                    + " i.indisvalid")) {
                query.setString(1, name.get());
                try (ResultSet rows = query.executeQuery()) {
                    if (rows.next()) {
                        String index = rows.getString(1);
                        facts.add(new Fact(
                                "invalid_index",
                                index + " on " + rows.getString(2) + " is INVALID: it is maintained on every write"
                                        + " but never used"));
                        leftovers.add(
                                new Leftover("INVALID index " + index, "DROP INDEX CONCURRENTLY IF EXISTS " + index));
                    }
                }
            }
        }
    }

    /**
     * The sessions holding a lock on the step's table in a mode that makes the step wait: who blocked. Read
     * after the fact, so it names whoever holds such a lock now (the usual case: a transaction left idle).
     */
    private static void blockers(Connection connection, FailedAttempt attempt, List<Fact> facts) throws SQLException {
        SqlStatement statement = attempt.statement();
        String relation = attempt.relation() != null
                ? attempt.relation()
                : statement == null ? null : statement.targetRelation().orElse(null);
        if (relation == null) {
            return;
        }
        String requested = statement == null ? LockModes.ROW_EXCLUSIVE : LockModes.requestedBy(statement);
        facts.add(new Fact("lock_wanted", requested + " on " + relation));
        try (PreparedStatement query = connection.prepareStatement("select a.pid, a.usename, a.application_name,"
                + " coalesce(a.client_addr::text, 'local'), a.state,"
                + " extract(epoch from clock_timestamp() - a.xact_start)::bigint,"
                + " extract(epoch from clock_timestamp() - a.state_change)::bigint, a.query, l.mode"
                + " from pg_locks l join pg_stat_activity a on a.pid = l.pid"
                + " where l.locktype = 'relation' and l.granted and l.relation = to_regclass(?)"
                + " and l.pid <> pg_backend_pid() and l.mode = any(?)"
                + " order by a.xact_start nulls last, a.pid")) {
            query.setString(1, relation);
            query.setArray(
                    2,
                    connection.createArrayOf(
                            "text", LockModes.blocking(requested).toArray()));
            try (ResultSet rows = query.executeQuery()) {
                int found = 0;
                while (rows.next()) {
                    found++;
                    String state = rows.getString(5);
                    long xactAge = rows.getLong(6);
                    long stateAge = rows.getLong(7);
                    String who = "pid " + rows.getInt(1) + " (" + rows.getString(2) + ", application '"
                            + rows.getString(3) + "', from " + rows.getString(4) + "), " + state
                            + ("idle in transaction".equals(state) ? " for " + age(stateAge) : "")
                            + ", transaction open " + age(xactAge) + ", holds " + rows.getString(9) + " on "
                            + relation;
                    facts.add(new Fact(found == 1 ? "blocker" : "blocker_" + found, who));
                    if (found == 1 && rows.getString(8) != null) {
                        facts.add(new Fact(
                                "blocker_query", abbreviate(rows.getString(8).strip())));
                    }
                }
                if (found == 0) {
                    facts.add(new Fact("blockers_now", "no session holds a conflicting lock on " + relation + " now"));
                }
            }
        }
    }

    private static void role(Connection connection, List<Fact> facts) throws SQLException {
        try (Statement query = connection.createStatement();
                ResultSet rows = query.executeQuery(
                        "select current_user, r.rolsuper from pg_roles r" + " where r.rolname = current_user")) {
            if (rows.next()) {
                facts.add(new Fact("role", rows.getString(1) + (rows.getBoolean(2) ? " (superuser)" : "")));
            }
        }
    }

    private static void serverRole(Connection connection, List<Fact> facts) throws SQLException {
        try (Statement query = connection.createStatement();
                ResultSet rows = query.executeQuery("select pg_is_in_recovery(),"
                        + " current_setting('default_transaction_read_only'), inet_server_addr()::text,"
                        + " inet_server_port()")) {
            if (rows.next()) {
                String where =
                        (rows.getString(3) == null ? "the local socket" : rows.getString(3)) + ":" + rows.getInt(4);
                facts.add(new Fact(
                        "server",
                        rows.getBoolean(1)
                                ? where + " is a standby (in recovery): point --db at the primary"
                                : where + " is a primary with default_transaction_read_only = " + rows.getString(2)));
            }
        }
    }

    /** VALIDATE CONSTRAINT over bad rows: the constraint stays in place, NOT VALID, and new rows obey it. */
    private static void notValidConstraint(Connection connection, FailedAttempt attempt, List<Fact> facts)
            throws SQLException {
        SqlStatement statement = attempt.statement();
        if (statement == null || statement.validatedConstraint().isEmpty()) {
            return;
        }
        String constraint = statement.validatedConstraint().get();
        String relation = statement.targetRelation().orElse(null);
        try (PreparedStatement query = connection.prepareStatement("select c.conname from pg_constraint c"
                + " where c.conrelid = to_regclass(?) and c.conname = ? and not c.convalidated")) {
            query.setString(1, relation);
            query.setString(2, unquote(constraint));
            try (ResultSet rows = query.executeQuery()) {
                if (rows.next()) {
                    facts.add(new Fact(
                            "not_valid",
                            "constraint " + rows.getString(1) + " on " + relation + " remains NOT VALID: new rows"
                                    + " obey it, existing rows are unchecked"));
                }
            }
        }
    }

    private static String ranOutOf(String sqlState) {
        return switch (sqlState) {
            case "53100" -> "disk space";
            case "53200" -> "memory";
            case "53300" -> "connections (max_connections)";
            case "53400" -> "a configured limit";
            default -> "a resource (SQLSTATE " + sqlState + ")";
        };
    }

    private static String unquote(String identifier) {
        if (identifier.length() > 1 && identifier.startsWith("\"") && identifier.endsWith("\"")) {
            return identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"");
        }
        return identifier.toLowerCase(java.util.Locale.ROOT);
    }

    private static String age(long seconds) {
        return Durations.format(Duration.ofSeconds(Math.max(0, seconds)));
    }

    private static Duration seconds(Duration duration) {
        return duration == null ? Duration.ZERO : Duration.ofSeconds(duration.toSeconds());
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String abbreviate(String text) {
        String flat = text.replaceAll("\\s+", " ");
        return flat.length() <= QUERY_TEXT ? flat : flat.substring(0, QUERY_TEXT - 3) + "...";
    }
}
