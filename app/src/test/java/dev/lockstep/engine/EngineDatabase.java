package dev.lockstep.engine;

import dev.lockstep.sandbox.Sandbox;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The engine tests' database: the primary of the run's one sandbox (a real primary with a streaming
 * standby, shared by every test class through {@code SandboxExtension}). Each engine test class calls
 * {@link #use} from its {@code @BeforeAll}.
 */
final class EngineDatabase {

    private static volatile Sandbox sandbox;

    private EngineDatabase() {}

    static void use(Sandbox running) {
        sandbox = running;
    }

    static Sandbox sandbox() {
        if (sandbox == null) {
            throw new IllegalStateException("the test class must call EngineDatabase.use(sandbox) in @BeforeAll");
        }
        return sandbox;
    }

    static String jdbcUrl() {
        return sandbox().primaryJdbcUrl();
    }

    static String uri() {
        return sandbox().primaryUri();
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /** A table of {@code rows} keys with a counter {@code n} at 0: a backfill doing n = n + 1 shows any repeat. */
    static void counterTable(String table, long rows) throws SQLException {
        execute(
                "drop table if exists " + table,
                "create table " + table + " (id bigint primary key, n int not null default 0)",
                "insert into " + table + " select g from generate_series(1, " + rows + ") g",
                "analyze " + table);
    }

    /** The batches committed so far by every run of a runbook, from its checkpoint rows (the authority). */
    static long committedBatches(String runbookId) throws SQLException {
        return queryLong("select coalesce(sum(batches), 0) from lockstep.backfill_checkpoint where runbook_id = '"
                + runbookId.replace("'", "''") + "'");
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

    static String queryString(String sql) throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
