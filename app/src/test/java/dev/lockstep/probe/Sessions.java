package dev.lockstep.probe;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Application sessions for fault scenarios: each its own connection; blocking statements run in a thread. */
final class Sessions implements AutoCloseable {

    interface Opener {
        Connection open() throws SQLException;
    }

    private final Opener opener;
    private final List<Connection> connections = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fault-session");
        thread.setDaemon(true);
        return thread;
    });

    Sessions(Opener opener) {
        this.opener = opener;
    }

    Connection open() throws SQLException {
        Connection connection = opener.open();
        connections.add(connection);
        return connection;
    }

    static int pid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("select pg_backend_pid()")) {
            row.next();
            return row.getInt(1);
        }
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Runs {@code sql} in the background: it is expected to block. */
    Future<?> start(Connection connection, String sql) {
        return threads.submit(() -> {
            execute(connection, sql);
            return null;
        });
    }

    @Override
    public void close() throws SQLException {
        for (Connection connection : connections) {
            connection.close();
        }
        threads.shutdownNow();
    }
}
