package dev.lockstep.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.Poll;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The standby is a real physical streaming replica of the primary. */
@ExtendWith(SandboxExtension.class)
class ReplicationTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @BeforeAll
    static void createTable(Sandbox sandbox) throws SQLException {
        try (Connection primary = sandbox.connectPrimary()) {
            Sql.execute(primary, "create table replication_test (id bigserial primary key, note text)");
        }
    }

    @AfterAll
    static void dropTable(Sandbox sandbox) throws SQLException {
        try (Connection primary = sandbox.connectPrimary()) {
            Sql.execute(primary, "drop table replication_test");
        }
    }

    @Test
    void standbyIsInRecoveryAndPrimaryIsNot(Sandbox sandbox) throws SQLException {
        try (Connection primary = sandbox.connectPrimary();
                Connection standby = sandbox.connectStandby()) {
            assertThat(Sql.text(primary, "select pg_is_in_recovery()::text")).isEqualTo("false");
            assertThat(Sql.text(standby, "select pg_is_in_recovery()::text")).isEqualTo("true");
            assertThat(Sql.longValue(standby, "select current_setting('server_version_num')::int / 10000"))
                    .isEqualTo(sandbox.pgMajor());
        }
    }

    @Test
    void rowWrittenOnThePrimaryAppearsOnTheStandby(Sandbox sandbox) throws SQLException {
        try (Connection primary = sandbox.connectPrimary();
                Connection standby = sandbox.connectStandby()) {
            long id =
                    Sql.longValue(primary, "insert into replication_test (note) values ('hello standby') returning id");

            Poll.untilPasses(DEADLINE, () -> assertThat(
                            Sql.text(standby, "select coalesce(max(note), '') from replication_test where id = " + id))
                    .isEqualTo("hello standby"));
        }
    }

    @Test
    void primaryListsTheStandbyAsStreaming(Sandbox sandbox) throws SQLException {
        try (Connection primary = sandbox.connectPrimary();
                Statement statement = primary.createStatement();
                ResultSet rows = statement.executeQuery(
                        "select r.application_name, r.state, s.slot_name, s.active from pg_stat_replication r"
                                + " join pg_replication_slots s on s.active_pid = r.pid")) {
            assertThat(rows.next()).as("a row in pg_stat_replication").isTrue();
            assertThat(rows.getString("application_name")).isEqualTo(Sandbox.STANDBY_NAME);
            assertThat(rows.getString("state")).isEqualTo("streaming");
            assertThat(rows.getString("slot_name")).isEqualTo(Sandbox.SLOT_NAME);
            assertThat(rows.getBoolean("active")).isTrue();
            assertThat(rows.next()).as("exactly one standby").isFalse();
        }
    }

    @Test
    void replayLagGrowsWhileReplayIsPausedAndCatchesUpAfterResume(Sandbox sandbox) throws SQLException {
        try (Connection primary = sandbox.connectPrimary();
                Connection standby = sandbox.connectStandby()) {
            sandbox.awaitStandbyReplay(DEADLINE);
            assertThat(standbyReplayLagBytes(standby)).isZero();
            try {
                // given replay paused on the standby
                Sql.execute(standby, "select pg_wal_replay_pause()");
                Poll.untilPasses(DEADLINE, () -> assertThat(Sql.text(standby, "select pg_get_wal_replay_pause_state()"))
                        .isEqualTo("paused"));

                // when the primary writes
                Sql.execute(
                        primary,
                        "insert into replication_test (note) select 'while paused ' || n from generate_series(1, 5000) n");
                long written =
                        Sql.longValue(primary, "select count(*) from replication_test where note like 'while paused%'");

                // then the standby receives but does not replay: lag in bytes grows on both sides
                Poll.untilPasses(DEADLINE, () -> assertThat(standbyReplayLagBytes(standby))
                        .isGreaterThan(100_000));
                Poll.untilPasses(DEADLINE, () -> assertThat(primaryReplayLagBytes(primary))
                        .isGreaterThan(100_000));
                long lagBefore = standbyReplayLagBytes(standby);
                Sql.execute(
                        primary,
                        "insert into replication_test (note) select 'still paused ' || n from generate_series(1, 5000) n");
                Poll.untilPasses(DEADLINE, () -> assertThat(standbyReplayLagBytes(standby))
                        .isGreaterThan(lagBefore));
                assertThat(Sql.longValue(
                                standby, "select count(*) from replication_test where note like 'while paused%'"))
                        .isZero();

                // when replay resumes, then it catches up
                Sql.execute(standby, "select pg_wal_replay_resume()");
                Poll.untilPasses(DEADLINE, () -> assertThat(standbyReplayLagBytes(standby))
                        .isZero());
                Poll.untilPasses(DEADLINE, () -> assertThat(primaryReplayLagBytes(primary))
                        .isZero());
                assertThat(Sql.longValue(
                                standby, "select count(*) from replication_test where note like 'while paused%'"))
                        .isEqualTo(written);
            } finally {
                Sql.execute(standby, "select pg_wal_replay_resume()");
            }
        }
    }

    private static long standbyReplayLagBytes(Connection standby) throws SQLException {
        return Sql.longValue(standby, "select pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())");
    }

    private static long primaryReplayLagBytes(Connection primary) throws SQLException {
        return Sql.longValue(
                primary,
                "select pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) from pg_stat_replication where application_name = '"
                        + Sandbox.STANDBY_NAME + "'");
    }
}
