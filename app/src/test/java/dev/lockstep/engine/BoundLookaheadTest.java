package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The backfill's look-ahead for batch bounds, against the sandbox: a hint that fails quietly. */
@ExtendWith(SandboxExtension.class)
class BoundLookaheadTest {

    private static final String LABEL = "lockstep-lookahead-test";

    @BeforeAll
    static void table(Sandbox sandbox) throws Exception {
        EngineDatabase.use(sandbox);
        EngineDatabase.counterTable("lookahead_t", 10_000);
    }

    private final AtomicInteger opened = new AtomicInteger();

    private Connection open() throws java.sql.SQLException {
        opened.incrementAndGet();
        Connection session = EngineDatabase.connect();
        try (Statement statement = session.createStatement()) {
            statement.execute("set application_name = '" + LABEL + "'");
        }
        return session;
    }

    private static BackfillWorker.Bound bound(Connection session, String from, int size) throws java.sql.SQLException {
        try (PreparedStatement query = session.prepareStatement("select max(k)::text, count(*) from"
                + " (select id as k from lookahead_t where id > ? order by id limit ?) batch")) {
            query.setLong(1, Long.parseLong(from));
            query.setInt(2, size);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getString(1) == null ? null : new BackfillWorker.Bound(rows.getString(1), rows.getLong(2));
            }
        }
    }

    /** A backend ends a moment after its client closes: waits for that, up to a generous limit. */
    private static long sessionsLeftAfterAWhile() throws Exception {
        String count = "select count(*) from pg_stat_activity where application_name = '" + LABEL + "'";
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long left = EngineDatabase.queryLong(count);
        while (left > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = EngineDatabase.queryLong(count);
        }
        return left;
    }

    private BoundLookahead lookahead(BoundLookahead.BoundQuery query, Duration longestWait) {
        return new BoundLookahead(this::open, session -> {}, query, longestWait);
    }

    @Test
    void aPrefetchServesOnlyTheBatchStartingWhereItWasAskedFor() {
        try (BoundLookahead lookahead = lookahead(BoundLookaheadTest::bound, Duration.ofSeconds(30))) {
            lookahead.prefetch("100", 50);
            assertThat(lookahead.take("100"))
                    .contains(new BoundLookahead.Ahead(new BackfillWorker.Bound("150", 50), 50));
            assertThat(lookahead.take("100")).as("taken once").isEmpty();

            lookahead.prefetch("100", 50);
            assertThat(lookahead.take("200")).as("another starting key").isEmpty();

            lookahead.prefetch("9990", 50);
            assertThat(lookahead.take("9990"))
                    .contains(new BoundLookahead.Ahead(new BackfillWorker.Bound("10000", 10), 50));

            lookahead.prefetch("10000", 50);
            assertThat(lookahead.take("10000"))
                    .as("the end of the table is for the worker to find on its own session")
                    .isEmpty();
        }
        assertThat(opened).hasValue(1);
    }

    @Test
    void aLostSessionCostsOnlyTheOverlap() throws Exception {
        try (BoundLookahead lookahead = lookahead(BoundLookaheadTest::bound, Duration.ofSeconds(30))) {
            lookahead.prefetch("0", 10);
            assertThat(lookahead.take("0")).isPresent();

            // when: the session goes away under it
            assertThat(EngineDatabase.queryLong("select count(pg_terminate_backend(pid)) from pg_stat_activity"
                            + " where application_name = '" + LABEL + "'"))
                    .isEqualTo(1);
            lookahead.prefetch("10", 10);
            Optional<BoundLookahead.Ahead> afterLoss = lookahead.take("10");

            // then: no bound and no exception; the worker finds the bound itself
            assertThat(afterLoss).isEmpty();
        }
        assertThat(sessionsLeftAfterAWhile())
                .as("closing the look-ahead leaves no session behind")
                .isZero();
    }

    @Test
    void aPrefetchStuckInTheDatabaseIsGivenUpAndItsSessionClosed() throws Exception {
        BoundLookahead.BoundQuery stuck = (session, from, size) -> {
            try (Statement statement = session.createStatement()) {
                statement.execute("select pg_sleep(60)");
            }
            return new BackfillWorker.Bound("1", 1);
        };
        try (BoundLookahead lookahead = lookahead(stuck, Duration.ofMillis(300))) {
            lookahead.prefetch("0", 10);
            assertThat(lookahead.take("0")).isEmpty();
        }
        assertThat(sessionsLeftAfterAWhile())
                .as("the stuck query's session is closed with the look-ahead, not left sleeping")
                .isZero();
    }
}
