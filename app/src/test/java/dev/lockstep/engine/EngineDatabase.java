package dev.lockstep.engine;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** One embedded PostgreSQL for all engine tests of a run (the machine has two cores). */
final class EngineDatabase {

    private static EmbeddedPostgres postgres;

    private EngineDatabase() {}

    static synchronized EmbeddedPostgres get() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException e) {
                    // the JVM is going away; the data directory is temporary
                }
            }));
        }
        return postgres;
    }

    static String jdbcUrl() {
        return get().getJdbcUrl("postgres", "postgres");
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    static void execute(String... statements) throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    static long queryLong(String sql) throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
