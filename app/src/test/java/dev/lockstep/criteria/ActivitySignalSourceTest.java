package dev.lockstep.criteria;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ActivitySignalSourceTest {

    private static final Duration DEADLINE = Duration.ofSeconds(15);

    private static Connection monitoring;
    private final ExecutorService waiters = Executors.newCachedThreadPool();
    private final List<Connection> sessions = new ArrayList<>();
    private final List<Future<?>> waiting = new ArrayList<>();

    @BeforeAll
    static void connect() throws SQLException {
        monitoring = SharedPostgres.connect("lockstep-monitor");
        try (Connection setup = SharedPostgres.connect("criteria-test");
                Statement statement = setup.createStatement()) {
            statement.execute("create table if not exists case_file (id int primary key, assignee text)");
            statement.execute("truncate case_file");
            statement.execute("insert into case_file values (1, 'a'), (2, 'b')");
        }
    }

    @AfterAll
    static void disconnect() throws SQLException {
        monitoring.close();
    }

    @AfterEach
    void releaseEverything() throws Exception {
        for (Connection session : sessions) {
            session.rollback();
        }
        for (Future<?> future : waiting) {
            future.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
        for (Connection session : sessions) {
            session.close();
        }
        waiters.shutdown();
    }

    private Connection session(String applicationName) throws SQLException {
        Connection session = SharedPostgres.connect(applicationName);
        session.setAutoCommit(false);
        sessions.add(session);
        return session;
    }

    private static void execute(Connection session, String sql) throws SQLException {
        try (Statement statement = session.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Runs a statement that will wait for a lock, on its own thread, so the test can watch it wait. */
    private void executeWaiting(Connection session, String sql) {
        waiting.add(waiters.submit(() -> {
            execute(session, sql);
            return null;
        }));
    }

    private static int pid(Connection session) throws SQLException {
        try (Statement statement = session.createStatement();
                var result = statement.executeQuery("select pg_backend_pid()")) {
            result.next();
            return result.getInt(1);
        }
    }

    private static Map<String, SignalReading> sampleUntil(
            ActivitySignalSource source, Predicate<Map<String, SignalReading>> condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        Map<String, SignalReading> readings = source.sample();
        while (!condition.test(readings) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            readings = source.sample();
        }
        return readings;
    }

    private static double value(Map<String, SignalReading> readings, String signal) {
        return ((SignalReading.Value) readings.get(signal)).value();
    }

    private static Predicate<Map<String, SignalReading>> blocked(int sessions) {
        return readings -> readings.get(Signals.BLOCKED_SESSIONS).equals(SignalReading.of(sessions))
                && value(readings, Signals.LOCK_WAIT_SECONDS) > 0;
    }

    @Test
    void aSessionWaitingForALockShowsAsALockWaitAndABlockedSession() throws Exception {
        ActivitySignalSource source = new ActivitySignalSource(monitoring, Set::of);
        Connection holder = session("app-holder");
        execute(holder, "lock table case_file in access exclusive mode");
        executeWaiting(session("app-reader"), "select count(*) from case_file");

        Map<String, SignalReading> readings = sampleUntil(source, blocked(1));

        assertThat(readings).containsOnlyKeys(source.signals());
        assertThat(readings.get(Signals.BLOCKED_SESSIONS)).isEqualTo(SignalReading.of(1));
        assertThat(value(readings, Signals.LOCK_WAIT_SECONDS)).isPositive();
        assertThat(readings.get(Signals.BLOCKED_BY_US))
                .as("neither session is Lockstep's")
                .isEqualTo(SignalReading.of(0));
        assertThat(value(readings, Signals.OLDEST_XACT_SECONDS)).isPositive();
    }

    @Test
    void aSessionQueuedBehindLockstepsControlSessionIsBlockedByUs() throws Exception {
        ActivitySignalSource source = new ActivitySignalSource(monitoring, Set::of);
        Connection control = session("lockstep-control");
        execute(control, "lock table case_file in access exclusive mode");
        executeWaiting(session("app-reader"), "select count(*) from case_file");

        Map<String, SignalReading> readings = sampleUntil(source, blocked(1));

        assertThat(readings.get(Signals.BLOCKED_BY_US)).isEqualTo(SignalReading.of(1));
    }

    @Test
    void ourSessionsAreAlsoKnownByThePidsTheEngineNamesAndQueuesCountThroughChains() throws Exception {
        Connection backfill = session("psql");
        int backfillPid = pid(backfill);
        ActivitySignalSource source = new ActivitySignalSource(monitoring, () -> Set.of(backfillPid));
        execute(backfill, "update case_file set assignee = 'x' where id = 1");
        Connection application = session("app-writer");
        execute(application, "update case_file set assignee = 'y' where id = 2");
        executeWaiting(application, "update case_file set assignee = 'y' where id = 1");
        executeWaiting(session("app-other-writer"), "update case_file set assignee = 'z' where id = 2");

        Map<String, SignalReading> readings = sampleUntil(source, blocked(2));

        assertThat(readings.get(Signals.BLOCKED_SESSIONS)).isEqualTo(SignalReading.of(2));
        assertThat(readings.get(Signals.BLOCKED_BY_US))
                .as("app-writer waits for our row, app-other-writer for app-writer's")
                .isEqualTo(SignalReading.of(2));
    }

    @Test
    void aQuietDatabaseReadsZero() {
        ActivitySignalSource source = new ActivitySignalSource(monitoring, Set::of);

        Map<String, SignalReading> readings = source.sample();

        assertThat(readings)
                .containsEntry(Signals.LOCK_WAIT_SECONDS, SignalReading.of(0))
                .containsEntry(Signals.BLOCKED_SESSIONS, SignalReading.of(0))
                .containsEntry(Signals.BLOCKED_BY_US, SignalReading.of(0))
                .containsEntry(Signals.OLDEST_XACT_SECONDS, SignalReading.of(0));
    }

    @Test
    void aLostConnectionMakesEverySignalUnknown() throws SQLException {
        Connection lost = SharedPostgres.connect("lockstep-monitor");
        lost.close();

        Map<String, SignalReading> readings = new ActivitySignalSource(lost, Set::of).sample();

        assertThat(readings)
                .containsOnlyKeys(
                        Signals.LOCK_WAIT_SECONDS,
                        Signals.BLOCKED_SESSIONS,
                        Signals.BLOCKED_BY_US,
                        Signals.OLDEST_XACT_SECONDS);
        assertThat(readings.values()).allSatisfy(reading -> assertThat(reading.describe())
                .startsWith("unknown (monitoring connection lost: "));
    }
}
