package dev.lockstep.criteria;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * One embedded PostgreSQL for every database test of this package (the machine has two cores), started on first
 * use and stopped when the test JVM exits. Stands in until the sandbox's test extension lands.
 */
final class SharedPostgres {

    private static EmbeddedPostgres postgres;

    private SharedPostgres() {}

    static synchronized EmbeddedPostgres get() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start embedded PostgreSQL", e);
            }
            EmbeddedPostgres started = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    // The JVM is going away; the temporary data directory is all that is left behind.
                }
            }));
        }
        return postgres;
    }

    /** A new connection with the given application name; the caller closes it. */
    static Connection connect(String applicationName) throws SQLException {
        String url = get().getJdbcUrl("postgres", "postgres") + "&ApplicationName=" + applicationName;
        return DriverManager.getConnection(url);
    }
}
