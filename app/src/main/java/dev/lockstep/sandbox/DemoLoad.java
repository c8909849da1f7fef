package dev.lockstep.sandbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small application beside the demo's run: two sessions reading open cases and one updating them, a few
 * times a second each, labelled {@code demo-app}. It makes the demo's screens honest: a lock holder queues real
 * application work, a paused standby falls behind real writes, and the run shares the table with traffic. Each
 * session bounds its own statements (30 s) so that it never piles up for ever; a failed statement is counted
 * and the session goes on.
 */
public final class DemoLoad implements AutoCloseable {

    public static final String APPLICATION_NAME = "demo-app";

    private final List<Thread> sessions = new ArrayList<>();
    private final AtomicLong statements = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean stopping;

    private DemoLoad() {}

    /** Starts the sessions against the sandbox's primary (the demo tables must be loaded). */
    public static DemoLoad start(Sandbox sandbox) {
        DemoLoad load = new DemoLoad();
        load.add(
                sandbox,
                "reader-1",
                "select count(*) from enforcement_case where status = 'OPEN' and id between ? and ?");
        load.add(sandbox, "reader-2", "select max(opened_at) from enforcement_case where id between ? and ?");
        load.add(sandbox, "writer", "update enforcement_case set summary = summary where id between ? and ?");
        return load;
    }

    private void add(Sandbox sandbox, String name, String sql) {
        Thread thread = new Thread(() -> work(sandbox, sql), "demo-app-" + name);
        thread.setDaemon(true);
        sessions.add(thread);
        thread.start();
    }

    private void work(Sandbox sandbox, String sql) {
        long key = 1;
        while (!stopping) {
            try (Connection session = sandbox.connectPrimary()) {
                try (Statement settings = session.createStatement()) {
                    settings.execute("set application_name = '" + APPLICATION_NAME + "'");
                    settings.execute("set statement_timeout = '30s'");
                }
                try (PreparedStatement statement = session.prepareStatement(sql)) {
                    while (!stopping) {
                        key = key % (DemoData.ENFORCEMENT_CASES - 20) + 17;
                        statement.setLong(1, key);
                        statement.setLong(2, key + 10);
                        try {
                            statement.execute();
                            statements.incrementAndGet();
                        } catch (SQLException failed) {
                            failures.incrementAndGet();
                            if (session.isClosed() || !session.isValid(1)) {
                                break;
                            }
                        }
                        Thread.sleep(250);
                    }
                }
            } catch (SQLException e) {
                failures.incrementAndGet();
                pause();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Statements that completed, and those that failed (a lock wait cut by the timeout, a lost session). */
    public String describe() {
        return statements.get() + " application statements, " + failures.get() + " failed";
    }

    /** Stops the sessions; a statement in flight is abandoned with its connection. */
    @Override
    public void close() {
        stopping = true;
        for (Thread session : sessions) {
            session.interrupt();
        }
        for (Thread session : sessions) {
            try {
                session.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
