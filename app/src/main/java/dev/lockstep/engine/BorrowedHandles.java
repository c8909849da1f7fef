package dev.lockstep.engine;

import java.sql.Connection;
import java.sql.SQLException;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Handles;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Jdbi handles on a session the engine owns. The control session carries a batch, its checkpoint and its ledger
 * rows in one transaction that the engine begins and commits itself, so a handle only borrows the connection:
 * Jdbi never begins, commits or rolls back anything here, closing the handle closes its statements and never the
 * connection, and the connection's auto-commit, timeouts and application_name stay what the owner set.
 *
 * <p>A statement that fails throws the driver's {@link SQLException}, not Jdbi's wrapper of it: the engine tells
 * a lost session from a failed statement, and classifies failures, by the SQLSTATE ({@link SqlStates}).
 */
final class BorrowedHandles {

    /**
     * The session lent to {@link #JDBI} for the one {@code open()} that wraps it. One Jdbi for every session
     * because creating a Jdbi (its configuration) costs about twenty times as much as opening a handle.
     */
    private static final ThreadLocal<Connection> LENT = new ThreadLocal<>();

    private static final Jdbi JDBI = Jdbi.create(new ConnectionFactory() {
        @Override
        public Connection openConnection() {
            return LENT.get();
        }

        @Override
        public void closeConnection(Connection connection) {
            // the owner closes its session; a handle only borrowed it
        }
    });

    static {
        // Jdbi rolls back a transaction it finds open when a handle closes; here that transaction is the engine's
        JDBI.getConfig(Handles.class).setForceEndTransactions(false);
    }

    private BorrowedHandles() {}

    static <T> T with(Connection session, HandleCallback<T, SQLException> work) throws SQLException {
        try (Handle handle = open(session)) {
            return work.withHandle(handle);
        } catch (JdbiException e) {
            if (e.getCause() instanceof SQLException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static Handle open(Connection session) {
        LENT.set(session);
        try {
            return JDBI.open();
        } finally {
            LENT.remove();
        }
    }
}
