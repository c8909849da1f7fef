package dev.lockstep.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.Poll;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each drill injects a fault the database really shows, and leaves nothing behind when undone. */
@ExtendWith(SandboxExtension.class)
class DrillsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String DATABASE = "drills_test";

    @BeforeAll
    static void createTables(Sandbox sandbox) throws SQLException {
        try (Connection primary = sandbox.connectPrimary()) {
            Sql.execute(primary, "create database " + DATABASE);
        }
        try (Connection primary = connect(sandbox, "drills-test")) {
            Sql.execute(primary, "create table drill_case (id bigint primary key, status text)");
            Sql.execute(primary, "insert into drill_case select g, 'OPEN' from generate_series(1, 100) g");
            Sql.execute(
                    primary,
                    "create table app_error (id bigserial primary key, at timestamptz not null default now(),"
                            + " message text)");
        }
    }

    @AfterAll
    static void dropDatabase(Sandbox sandbox) throws SQLException {
        try (Connection primary = sandbox.connectPrimary()) {
            Sql.execute(primary, "drop database " + DATABASE + " with (force)");
        }
    }

    @Test
    void pauseReplayPausesTheStandbyUntilUndone(Sandbox sandbox) throws SQLException {
        try (Connection primary = connect(sandbox, "drills-test");
                Connection standby = sandbox.connectStandby();
                Drill drill = Drills.of("pause-replay", target(sandbox), Drills.Options.defaults())) {
            assertThat(drill.inject()).contains("paused WAL replay");

            Poll.untilPasses(DEADLINE, () -> assertThat(Sql.text(standby, "select pg_get_wal_replay_pause_state()"))
                    .isEqualTo("paused"));
            assertThat(Sql.longValue(
                            standby, "select count(*) from pg_stat_activity where application_name = 'lockstep-drill'"))
                    .isEqualTo(1);
            long id = Sql.longValue(primary, "insert into app_error (message) values ('while paused') returning id");

            assertThat(drill.undo()).contains("resumed WAL replay");

            assertThat(Sql.text(standby, "select pg_get_wal_replay_pause_state()"))
                    .isEqualTo("not paused");
            Poll.untilPasses(DEADLINE, () -> {
                try (Connection standbyOfTheTestDatabase = connectStandby(sandbox)) {
                    assertThat(Sql.longValue(
                                    standbyOfTheTestDatabase, "select count(*) from app_error where id = " + id))
                            .isEqualTo(1);
                }
            });
        } finally {
            try (Connection standby = sandbox.connectStandby()) {
                Sql.execute(standby, "select pg_wal_replay_resume()");
            }
        }
    }

    @Test
    void pauseReplayRefusesAServerThatIsNotInRecovery(Sandbox sandbox) {
        Drills.Target primaryAsStandby = new Drills.Target(sandbox::connectPrimary, sandbox::connectPrimary, false);
        try (Drill drill = Drills.of("pause-replay", primaryAsStandby, Drills.Options.defaults())) {
            assertThatThrownBy(drill::inject)
                    .isInstanceOf(LockstepException.class)
                    .hasMessageContaining("not in recovery")
                    .satisfies(
                            e -> assertThat(((LockstepException) e).exitCode()).isEqualTo(ExitCode.USAGE));
        }
    }

    @Test
    void lockHolderQueuesAWriteBehindAConflictingLock(Sandbox sandbox) throws SQLException {
        try (Connection observer = connect(sandbox, "drills-test");
                Drill drill = Drills.of(
                        "lock-holder",
                        target(sandbox),
                        Drills.Options.defaults().withTable("drill_case"))) {
            assertThat(drill.inject()).contains("holds SHARE on drill_case").contains("queues a write");

            assertThat(
                            Sql.longValue(
                                    observer,
                                    """
                            select count(*) from pg_locks l join pg_stat_activity a using (pid)
                            where l.relation = 'drill_case'::regclass and not l.granted
                              and a.application_name = 'lockstep-drill'
                            """))
                    .isEqualTo(1);
            Sql.execute(observer, "set lock_timeout = '200ms'");
            assertThatThrownBy(() -> Sql.execute(observer, "update drill_case set status = 'CLOSED' where id = 1"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("55P03"));

            assertThat(drill.undo()).contains("released the lock on drill_case");

            Sql.execute(observer, "update drill_case set status = 'OPEN' where id = 1");
            Poll.untilPasses(DEADLINE, () -> assertThat(Sql.longValue(
                            observer,
                            "select count(*) from pg_stat_activity where application_name = 'lockstep-drill'"))
                    .isZero());
        }
    }

    @Test
    void lockHolderNeedsThePrimary(Sandbox sandbox) {
        Drills.Target standbyAsPrimary = new Drills.Target(sandbox::connectStandby, null, false);
        try (Drill drill = Drills.of("lock-holder", standbyAsPrimary, Drills.Options.defaults())) {
            assertThatThrownBy(drill::inject)
                    .isInstanceOf(LockstepException.class)
                    .hasMessageContaining("in recovery (a standby); this drill needs the primary");
        }
    }

    @Test
    void killConnectionTerminatesLockstepControlSessionsOnly(Sandbox sandbox) throws SQLException {
        try (Connection control = connect(sandbox, "lockstep-control");
                Connection application = connect(sandbox, "the-application")) {
            long controlPid = Sql.longValue(control, "select pg_backend_pid()");
            Drill drill = Drills.of("kill-connection", target(sandbox), Drills.Options.defaults());

            assertThat(drill.inject()).contains("terminated Lockstep's control session pid " + controlPid);

            assertThatThrownBy(() -> Sql.longValue(control, "select 1")).isInstanceOf(SQLException.class);
            assertThat(Sql.longValue(application, "select 1")).isEqualTo(1);
            assertThat(drill.undo()).contains("nothing to undo");
        }
    }

    @Test
    void killConnectionWithoutAControlSessionSaysSo(Sandbox sandbox) {
        Drill drill = Drills.of(
                "kill-connection", target(sandbox), Drills.Options.defaults().withPatience(Duration.ofMillis(200)));

        assertThatThrownBy(drill::inject)
                .isInstanceOf(LockstepException.class)
                .hasMessageContaining("no Lockstep control session");
    }

    @Test
    void badDataInsertsRecentApplicationErrorsAndDeletesThem(Sandbox sandbox) throws SQLException {
        String recentErrors = "select count(*) from app_error where at > now() - interval '1 minute'"
                + " and message like 'lockstep drill%'";
        try (Connection observer = connect(sandbox, "drills-test");
                Drill drill = Drills.of(
                        "bad-data", target(sandbox), Drills.Options.defaults().withRows(60))) {
            assertThat(drill.inject()).contains("inserted 60 rows into app_error");

            assertThat(Sql.longValue(observer, recentErrors)).isEqualTo(60);

            assertThat(drill.undo()).contains("deleted the 60 app_error rows");
            assertThat(Sql.longValue(observer, recentErrors)).isZero();
        }
    }

    @Test
    void slowBatchMakesEveryUpdateWaitUntilUndone(Sandbox sandbox) throws SQLException {
        try (Connection observer = connect(sandbox, "drills-test");
                Drill drill = Drills.of(
                        "slow-batch",
                        target(sandbox),
                        Drills.Options.defaults().withTable("drill_case").withDelay(Duration.ofSeconds(5)))) {
            assertThat(drill.inject()).contains("every UPDATE statement on drill_case now sleeps 5000 ms");

            // a statement that may take 200 ms cannot get through a 5 s sleep: the trigger is really there
            Sql.execute(observer, "set statement_timeout = '200ms'");
            assertThatThrownBy(() -> Sql.execute(observer, "update drill_case set status = 'OPEN' where id = 2"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));

            assertThat(drill.undo()).contains("dropped the trigger");
            Sql.execute(observer, "update drill_case set status = 'OPEN' where id = 2");
            assertThat(Sql.longValue(observer, "select count(*) from pg_trigger where tgname = 'lockstep_drill_slow'"))
                    .isZero();
        }
    }

    @Test
    void stuckLiquibaseLockLeavesALockWhoseHostHasNoSessionUntilUndone(Sandbox sandbox) throws SQLException {
        try (Connection observer = connect(sandbox, "drills-test");
                Drill drill = Drills.of("stuck-liquibase-lock", target(sandbox), Drills.Options.defaults())) {
            assertThat(drill.inject()).contains("locked 47 minutes ago by deploy-runner-3 (192.0.2.10)");

            assertThat(Sql.text(
                            observer,
                            "select locked || ' ' || lockedby from lockstep_drill_liquibase.databasechangeloglock"))
                    .isEqualTo("true deploy-runner-3 (192.0.2.10)");
            assertThat(Sql.longValue(
                            observer, "select count(*) from pg_stat_activity where host(client_addr) = '192.0.2.10'"))
                    .isZero();

            assertThat(drill.undo()).contains("dropped schema lockstep_drill_liquibase");
            assertThat(Sql.longValue(
                            observer, "select count(*) from pg_namespace where nspname = 'lockstep_drill_liquibase'"))
                    .isZero();
        }
    }

    @Test
    void unknownScenarioNamesTheKnownOnes(Sandbox sandbox) {
        assertThatThrownBy(() -> Drills.of("flood", target(sandbox), Drills.Options.defaults()))
                .isInstanceOf(LockstepException.class)
                .hasMessage("unknown drill scenario 'flood'; pick one of pause-replay, lock-holder, kill-connection,"
                        + " bad-data, slow-batch, stuck-liquibase-lock");
    }

    private static Drills.Target target(Sandbox sandbox) {
        return new Drills.Target(() -> connect(sandbox, "drill-under-test"), sandbox::connectStandby, false);
    }

    private static Connection connectStandby(Sandbox sandbox) throws SQLException {
        return DriverManager.getConnection(
                sandbox.standbyJdbcUrl().replace("/postgres?", "/" + DATABASE + "?"), properties("drills-test"));
    }

    private static Connection connect(Sandbox sandbox, String applicationName) throws SQLException {
        return DriverManager.getConnection(
                sandbox.primaryJdbcUrl().replace("/postgres?", "/" + DATABASE + "?"), properties(applicationName));
    }

    private static Properties properties(String applicationName) {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("ApplicationName", applicationName);
        return properties;
    }
}
