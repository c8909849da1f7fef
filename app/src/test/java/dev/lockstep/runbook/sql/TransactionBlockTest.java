package dev.lockstep.runbook.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL decides which statements cannot run inside a transaction block; this asks it about each of
 * {@link SqlStatementTest}'s statements, inside a transaction that is rolled back. The names exist nowhere:
 * PostgreSQL checks the transaction block first (SQLSTATE 25001) and finds a missing name later.
 */
@ExtendWith(SandboxExtension.class)
class TransactionBlockTest {

    private static final String ACTIVE_SQL_TRANSACTION = "25001";

    @Test
    void postgresRefusesInATransactionWhatTheLexerRunsOutsideOne(Sandbox sandbox) throws SQLException {
        try (Connection connection = sandbox.connectPrimary()) {
            for (String sql : SqlStatementTest.REFUSED_IN_A_TRANSACTION) {
                assertThat(errorInATransaction(connection, sql)).as(sql).isEqualTo(ACTIVE_SQL_TRANSACTION);
            }
            for (String sql : SqlStatementTest.RUN_ALONE_BY_CHOICE) {
                assertThat(errorInATransaction(connection, sql)).as(sql).isNotEqualTo(ACTIVE_SQL_TRANSACTION);
            }
            for (String sql : SqlStatementTest.ALLOWED_IN_A_TRANSACTION) {
                assertThat(errorInATransaction(connection, sql)).as(sql).isNotEqualTo(ACTIVE_SQL_TRANSACTION);
            }
        }
    }

    /** The SQLSTATE of the statement's error inside a transaction block, "none" if it ran; rolled back. */
    private static String errorInATransaction(Connection connection, String sql) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("select 1");
            statement.execute(sql);
            return "none";
        } catch (SQLException e) {
            return e.getSQLState();
        } finally {
            connection.rollback();
            connection.setAutoCommit(true);
        }
    }
}
