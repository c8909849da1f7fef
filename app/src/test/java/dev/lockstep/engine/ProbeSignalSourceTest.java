package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.Poll;
import dev.lockstep.criteria.CustomSqlSignals;
import dev.lockstep.criteria.SignalReading;
import dev.lockstep.criteria.SignalRef;
import dev.lockstep.criteria.SignalSource;
import dev.lockstep.criteria.Signals;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.SessionLimits;
import dev.lockstep.probe.ProbeOptions;
import dev.lockstep.probe.WatchProbe;
import dev.lockstep.sandbox.Drills;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database signals of a run, read from probe snapshots against the sandbox's real primary and streaming
 * standby: lock queues (whose they are, and across databases), replication lag that an idle primary does not
 * fool and that a lost standby or a dead stream makes unknown, never 0, and the custom SQL signals riding the
 * probe's session.
 */
@ExtendWith(SandboxExtension.class)
class ProbeSignalSourceTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String TABLE = "probe_signal_t";

    private static Sandbox sandbox;

    private final ExecutorService waiters = Executors.newCachedThreadPool();
    private final List<Connection> sessions = new ArrayList<>();
    private final List<Future<?>> waiting = new ArrayList<>();

    @BeforeAll
    static void table(Sandbox running) throws SQLException {
        sandbox = running;
        try (Connection setup = sandbox.connectPrimary()) {
            execute(setup, "drop table if exists " + TABLE);
            execute(setup, "create table " + TABLE + " (id int primary key, assignee text)");
            execute(setup, "insert into " + TABLE + " values (1, 'a'), (2, 'b')");
        }
    }

    @AfterEach
    void releaseEverything() throws Exception {
        for (Connection session : sessions) {
            if (!session.getAutoCommit()) {
                session.rollback();
            }
        }
        for (Future<?> future : waiting) {
            future.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
        for (Connection session : sessions) {
            session.close();
        }
        waiters.shutdown();
    }

    // ---- lock queues ------------------------------------------------------------------------------

    @Test
    void aQuietDatabaseReadsZeroNotUnknown() {
        try (ProbeSignalSource source = primaryOnly(Set::of)) {
            Map<String, SignalReading> readings = source.sample();

            assertThat(readings).containsOnlyKeys(ProbeSignalSource.SNAPSHOT_SIGNALS);
            assertThat(readings)
                    .containsEntry(Signals.LOCK_WAIT_SECONDS, SignalReading.of(0))
                    .containsEntry(Signals.BLOCKED_SESSIONS, SignalReading.of(0))
                    .containsEntry(Signals.BLOCKED_BY_US, SignalReading.of(0));
            assertThat(value(readings, Signals.OLDEST_XACT_SECONDS)).isGreaterThanOrEqualTo(0);
            assertThat(value(readings, Signals.SLOT_RETAINED_BYTES))
                    .as("the sandbox's standby slot")
                    .isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void aQueueBehindADrillsLockHolderIsALockWaitButNotBlockedByUs() throws Exception {
        try (ProbeSignalSource source = primaryOnly(Set::of)) {
            Connection holder = transaction(Drills.APPLICATION_NAME);
            execute(holder, "lock table " + TABLE + " in access exclusive mode");
            executeWaiting(session("app-reader"), "select count(*) from " + TABLE);

            Map<String, SignalReading> readings = sampleUntil(source, blocked(1));

            assertThat(value(readings, Signals.LOCK_WAIT_SECONDS)).isPositive();
            assertThat(readings.get(Signals.BLOCKED_BY_US))
                    .as("the holder is a drill's, not Lockstep's working session")
                    .isEqualTo(SignalReading.of(0));
            assertThat(value(readings, Signals.OLDEST_XACT_SECONDS)).isPositive();
        }
    }

    @Test
    void aSessionQueuedBehindLockstepsControlSessionIsBlockedByUs() throws Exception {
        try (ProbeSignalSource source = primaryOnly(Set::of)) {
            Connection control = transaction(SessionLimits.control().applicationName());
            execute(control, "lock table " + TABLE + " in access exclusive mode");
            executeWaiting(session("app-reader"), "select count(*) from " + TABLE);

            Map<String, SignalReading> readings = sampleUntil(source, blocked(1));

            assertThat(readings.get(Signals.BLOCKED_BY_US)).isEqualTo(SignalReading.of(1));
        }
    }

    @Test
    void ourSessionsAreAlsoThePidsTheEngineNamesAndQueuesCountThroughChains() throws Exception {
        Connection backfill = transaction("psql");
        int backfillPid = pid(backfill);
        try (ProbeSignalSource source = primaryOnly(() -> Set.of(backfillPid))) {
            execute(backfill, "update " + TABLE + " set assignee = 'x' where id = 1");
            Connection application = transaction("app-writer");
            execute(application, "update " + TABLE + " set assignee = 'y' where id = 2");
            executeWaiting(application, "update " + TABLE + " set assignee = 'y' where id = 1");
            executeWaiting(transaction("app-other-writer"), "update " + TABLE + " set assignee = 'z' where id = 2");

            Map<String, SignalReading> readings = sampleUntil(source, blocked(2));

            assertThat(readings.get(Signals.BLOCKED_BY_US))
                    .as("app-writer waits for our row, app-other-writer for app-writer's")
                    .isEqualTo(SignalReading.of(2));
        }
    }

    @Test
    void ourPendingAccessExclusiveCountsTheQueueBehindItNotItselfNorTheDrillsHolder() throws Exception {
        try (ProbeSignalSource source = primaryOnly(Set::of)) {
            // given: a drill's holder idle in a transaction that read the table
            Connection holder = transaction(Drills.APPLICATION_NAME);
            execute(holder, "select count(*) from " + TABLE);
            // when: our ALTER (rolled back at the end) queues for ACCESS EXCLUSIVE behind it, and plain reads
            // queue behind the ALTER
            executeWaiting(
                    transaction(SessionLimits.control().applicationName()),
                    "alter table " + TABLE + " add column note text");
            sampleUntil(source, blocked(1));
            executeWaiting(session("app-reader"), "select count(*) from " + TABLE);
            executeWaiting(session("app-reader"), "select count(*) from " + TABLE);

            Map<String, SignalReading> readings = sampleUntil(source, blocked(3));

            // then: the two reads suffer from our DDL; the ALTER itself waits behind someone else's lock
            assertThat(readings.get(Signals.BLOCKED_BY_US)).isEqualTo(SignalReading.of(2));
        }
    }

    @Test
    void lockQueuesInAnotherDatabaseAreNotCounted() throws Exception {
        String database = "probe_signal_other";
        try (Connection admin = sandbox.connectPrimary()) {
            execute(admin, "drop database if exists " + database);
            execute(admin, "create database " + database);
        }
        String url = sandbox.primaryJdbcUrl().replace("/postgres?", "/" + database + "?");
        try (ProbeSignalSource source = primaryOnly(Set::of)) {
            Connection holder = DriverManager.getConnection(url);
            sessions.add(holder);
            execute(holder, "create table other_t (id int)");
            holder.setAutoCommit(false);
            execute(holder, "lock table other_t in access exclusive mode");
            Connection reader = DriverManager.getConnection(url);
            sessions.add(reader);
            executeWaiting(reader, "select count(*) from other_t");
            awaitLockWaitIn(database);

            Map<String, SignalReading> readings = source.sample();

            assertThat(readings)
                    .containsEntry(Signals.LOCK_WAIT_SECONDS, SignalReading.of(0))
                    .containsEntry(Signals.BLOCKED_SESSIONS, SignalReading.of(0));
        } finally {
            releaseEverything();
            sessions.clear();
            waiting.clear();
            try (Connection admin = sandbox.connectPrimary()) {
                execute(admin, "drop database if exists " + database);
            }
        }
    }

    @Test
    void aLockPartSwitchedOffForLackOfPrivilegeIsUnknownNotZero() throws Exception {
        sandbox.createLoginRole("lockstep_signals_plain", "not-used-with-trust");
        ConnectionSettings plain = ConnectionSettings.parse(
                "postgresql://lockstep_signals_plain@127.0.0.1:" + sandbox.primaryPort() + "/postgres");
        try (Connection admin = sandbox.connectPrimary()) {
            execute(admin, "revoke execute on function pg_blocking_pids(integer) from public");
            try (ProbeSignalSource source = new ProbeSignalSource(
                    WatchProbe.open(plain, List.of(), ProbeOptions.defaults()), Set::of, noCustomSql())) {
                Map<String, SignalReading> readings = source.sample();

                for (String signal :
                        List.of(Signals.LOCK_WAIT_SECONDS, Signals.BLOCKED_SESSIONS, Signals.BLOCKED_BY_US)) {
                    assertThat(readings.get(signal).describe())
                            .as(signal)
                            .startsWith("unknown (the primary's locks part is off: ")
                            .contains("permission denied");
                }
                assertThat(readings.get(Signals.OLDEST_XACT_SECONDS).isKnown()).isTrue();
            }
        } finally {
            try (Connection admin = sandbox.connectPrimary()) {
                execute(admin, "grant execute on function pg_blocking_pids(integer) to public");
            }
        }
    }

    // ---- replication ------------------------------------------------------------------------------

    @Test
    void anIdleCaughtUpStandbyReadsZeroLagWhileItsLastReplayAges() throws Exception {
        sandbox.awaitStandbyReplay(DEADLINE);
        try (ProbeSignalSource source = withStandby()) {
            Map<String, SignalReading> first = sampleUntil(
                    source, readings -> SignalReading.of(0).equals(readings.get(Signals.REPLICATION_LAG_SECONDS)));
            long start = System.nanoTime();
            List<Map<String, SignalReading>> idle = new ArrayList<>(List.of(first));
            while (System.nanoTime() - start < Duration.ofSeconds(3).toNanos()) {
                Thread.sleep(200);
                idle.add(source.sample());
            }

            // an idle primary writes nothing, so nothing ages: no sample shows a growing lag
            for (Map<String, SignalReading> readings : idle) {
                assertThat(value(readings, Signals.REPLICATION_LAG_SECONDS)).isLessThan(1.0);
                assertThat(value(readings, Signals.REPLICATION_LAG_BYTES)).isGreaterThanOrEqualTo(0);
            }
        }
    }

    @Test
    void aPausedReplayWithPendingWalGrowsAndFallsBackToZeroAfterResume() throws Exception {
        try (Connection primary = sandbox.connectPrimary();
                Connection standby = sandbox.connectStandby();
                ProbeSignalSource source = withStandby()) {
            execute(primary, "create table if not exists probe_signal_writes (id int)");
            sandbox.awaitStandbyReplay(DEADLINE);
            sampleUntil(source, readings -> SignalReading.of(0).equals(readings.get(Signals.REPLICATION_LAG_SECONDS)));
            execute(standby, "select pg_wal_replay_pause()");
            try {
                execute(primary, "insert into probe_signal_writes select generate_series(1, 1000)");
                Map<String, SignalReading> lagging =
                        sampleUntil(source, readings -> knownAtLeast(readings, Signals.REPLICATION_LAG_SECONDS, 1.0));
                double first = value(lagging, Signals.REPLICATION_LAG_SECONDS);

                Map<String, SignalReading> later = sampleUntil(
                        source, readings -> knownAtLeast(readings, Signals.REPLICATION_LAG_SECONDS, first + 1.0));

                assertThat(value(lagging, Signals.REPLICATION_LAG_BYTES)).isPositive();
                assertThat(value(later, Signals.REPLICATION_LAG_BYTES)).isPositive();
            } finally {
                execute(standby, "select pg_wal_replay_resume()");
            }
            sampleUntil(source, readings -> SignalReading.of(0).equals(readings.get(Signals.REPLICATION_LAG_SECONDS)));
            execute(primary, "drop table probe_signal_writes");
        }
    }

    @Test
    void anUnreachableStandbyIsUnknownNotZero() {
        try (ProbeSignalSource source = withStandby()) {
            sandbox.stopStandby();
            try {
                Map<String, SignalReading> readings = sampleUntil(
                        source, r -> !r.get(Signals.REPLICATION_LAG_SECONDS).isKnown());

                assertThat(readings.get(Signals.REPLICATION_LAG_SECONDS).describe())
                        .startsWith("unknown (standby: unreachable since ");
                assertThat(readings.get(Signals.REPLICATION_LAG_BYTES).isKnown())
                        .isFalse();
                assertThat(readings.get(Signals.LOCK_WAIT_SECONDS))
                        .as("the primary is read as before")
                        .isEqualTo(SignalReading.of(0));
            } finally {
                sandbox.startStandby();
            }
        }
    }

    @Test
    void aDeadStreamIsUnknownNotZero() throws Exception {
        try (ProbeSignalSource source = withStandby();
                Connection primary = sandbox.connectPrimary();
                Connection standby = sandbox.connectStandby()) {
            sampleUntil(source, readings -> readings.get(Signals.REPLICATION_LAG_SECONDS)
                    .isKnown());
            // the standby waits an hour before it streams again once its stream is cut
            execute(standby, "alter system set wal_retrieve_retry_interval = '1h'");
            execute(standby, "select pg_reload_conf()");
            try {
                // the receiver may retry once at once (its last failure is long ago), then it waits the hour
                Map<String, SignalReading> readings = sampleUntil(source, r -> {
                    boolean down =
                            r.get(Signals.REPLICATION_LAG_SECONDS).describe().contains("not streaming");
                    if (!down) {
                        cutTheStream(primary);
                    }
                    return down;
                });

                assertThat(readings.get(Signals.REPLICATION_LAG_SECONDS).describe())
                        .startsWith("unknown (standby: WAL receiver not streaming");
                assertThat(readings.get(Signals.REPLICATION_LAG_BYTES).describe())
                        .startsWith("unknown (standby: WAL receiver not streaming");
            } finally {
                execute(standby, "alter system reset wal_retrieve_retry_interval");
                execute(standby, "select pg_reload_conf()");
                // a restart streams at once, whatever the receiver's retry timer says
                sandbox.stopStandby();
                sandbox.startStandby();
            }
        }
    }

    @Test
    void withoutAStandbyOptionTheStandbysStreamingFromThePrimaryCount() {
        sandbox.awaitStandbyReplay(DEADLINE);
        try (ProbeSignalSource source = primaryOnly(Set::of)) {
            Map<String, SignalReading> readings = sampleUntil(
                    source,
                    r -> r.get(Signals.REPLICATION_LAG_SECONDS).isKnown()
                            && r.get(Signals.REPLICATION_LAG_BYTES).isKnown());

            assertThat(value(readings, Signals.REPLICATION_LAG_BYTES)).isGreaterThanOrEqualTo(0);
            assertThat(value(readings, Signals.REPLICATION_LAG_SECONDS)).isGreaterThanOrEqualTo(0);
        }
    }

    // ---- the session ------------------------------------------------------------------------------

    @Test
    void customSqlRunsOverTheProbesOwnSessionAndLeavesItIdle() throws Exception {
        String label = "lockstep-monitor-signals-test";
        ProbeOptions options = new ProbeOptions(
                Duration.ofSeconds(60),
                SessionLimits.monitor().withApplicationName(label),
                java.time.Clock.systemUTC());
        CustomSqlSignals custom = new CustomSqlSignals(List.of(SignalRef.sql("backend", "select pg_backend_pid()")));
        try (ProbeSignalSource source = new ProbeSignalSource(
                        WatchProbe.open(
                                ConnectionSettings.parse(sandbox.primaryUri()),
                                List.of(ConnectionSettings.parse(sandbox.standbyUri())),
                                options),
                        Set::of,
                        custom);
                Connection admin = sandbox.connectPrimary()) {
            Map<String, SignalReading> readings = source.sample();
            source.sample();

            assertThat(readings).containsOnlyKeys(source.signals());
            assertThat(readings.get(Signals.LOCK_WAIT_SECONDS).isKnown()).isTrue();
            try (Statement statement = admin.createStatement();
                    ResultSet rows = statement.executeQuery(
                            "select pid, state from pg_stat_activity where application_name = '" + label + "'")) {
                assertThat(rows.next()).as("the probe's session").isTrue();
                assertThat(SignalReading.of(rows.getInt("pid")))
                        .as("the custom signal ran on the probe's session")
                        .isEqualTo(readings.get("sql:backend"));
                assertThat(rows.getString("state"))
                        .as("no transaction left open")
                        .isEqualTo("idle");
                assertThat(rows.next())
                        .as("one monitoring session on the primary")
                        .isFalse();
            }
        }
    }

    @Test
    void anUnreachablePrimaryMakesEveryDatabaseSignalUnknownNotZero() {
        ConnectionSettings nowhere = ConnectionSettings.parse(
                "postgresql://postgres@127.0.0.1:" + sandbox.primaryPort() + "/no_such_database");
        CustomSqlSignals custom = new CustomSqlSignals(List.of(SignalRef.sql("one", "select 1")));
        try (ProbeSignalSource source =
                new ProbeSignalSource(WatchProbe.open(nowhere, List.of(), ProbeOptions.defaults()), Set::of, custom)) {
            Map<String, SignalReading> readings = source.sample();

            assertThat(readings).containsOnlyKeys(source.signals());
            assertThat(readings.values()).allSatisfy(reading -> assertThat(reading.describe())
                    .startsWith("unknown (the primary is unreachable since ")
                    .contains("no_such_database"));
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static CustomSqlSignals noCustomSql() {
        return new CustomSqlSignals(List.of());
    }

    private static ProbeSignalSource primaryOnly(Supplier<Set<Integer>> ownPids) {
        return new ProbeSignalSource(
                WatchProbe.open(ConnectionSettings.parse(sandbox.primaryUri()), List.of(), ProbeOptions.defaults()),
                ownPids,
                noCustomSql());
    }

    private static ProbeSignalSource withStandby() {
        return new ProbeSignalSource(
                WatchProbe.open(
                        ConnectionSettings.parse(sandbox.primaryUri()),
                        List.of(ConnectionSettings.parse(sandbox.standbyUri())),
                        ProbeOptions.defaults()),
                Set::of,
                noCustomSql());
    }

    private Connection session(String applicationName) throws SQLException {
        Connection session = sandbox.connectPrimary();
        sessions.add(session);
        execute(session, "set application_name = '" + applicationName + "'");
        return session;
    }

    private Connection transaction(String applicationName) throws SQLException {
        Connection session = session(applicationName);
        session.setAutoCommit(false);
        return session;
    }

    /** Runs a statement that will wait for a lock, on its own thread, so the test can watch it wait. */
    private void executeWaiting(Connection session, String sql) {
        waiting.add(waiters.submit(() -> {
            execute(session, sql);
            return null;
        }));
    }

    private static void execute(Connection session, String sql) throws SQLException {
        try (Statement statement = session.createStatement()) {
            statement.execute(sql);
        }
    }

    private static int pid(Connection session) throws SQLException {
        try (Statement statement = session.createStatement();
                ResultSet result = statement.executeQuery("select pg_backend_pid()")) {
            result.next();
            return result.getInt(1);
        }
    }

    /** Terminates the walsender serving the sandbox's standby, if one is connected now. */
    private static void cutTheStream(Connection primary) {
        try {
            execute(
                    primary,
                    "select pg_terminate_backend(pid) from pg_stat_replication where application_name = '"
                            + Sandbox.STANDBY_NAME + "'");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitLockWaitIn(String database) throws Exception {
        try (Connection admin = sandbox.connectPrimary();
                Statement statement = admin.createStatement()) {
            Poll.until(
                    DEADLINE,
                    () -> {
                        try (ResultSet rows = statement.executeQuery("select count(*) from pg_stat_activity"
                                + " where wait_event_type = 'Lock' and datname = '" + database + "'")) {
                            rows.next();
                            return rows.getLong(1);
                        }
                    },
                    waiting -> waiting == 1,
                    "a session waits in " + database);
        }
    }

    private static Map<String, SignalReading> sampleUntil(
            SignalSource source, Predicate<Map<String, SignalReading>> condition) {
        return Poll.until(DEADLINE, source::sample, condition, "the readings");
    }

    private static Predicate<Map<String, SignalReading>> blocked(int sessions) {
        return readings -> SignalReading.of(sessions).equals(readings.get(Signals.BLOCKED_SESSIONS))
                && readings.get(Signals.LOCK_WAIT_SECONDS) instanceof SignalReading.Value wait
                && wait.value() > 0;
    }

    private static boolean knownAtLeast(Map<String, SignalReading> readings, String signal, double atLeast) {
        return readings.get(signal) instanceof SignalReading.Value reading && reading.value() >= atLeast;
    }

    private static double value(Map<String, SignalReading> readings, String signal) {
        assertThat(readings.get(signal)).as(signal + " in " + readings).isInstanceOf(SignalReading.Value.class);
        return ((SignalReading.Value) readings.get(signal)).value();
    }
}
