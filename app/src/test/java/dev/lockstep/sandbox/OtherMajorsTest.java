package dev.lockstep.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.Poll;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The oldest and newest supported majors run the same primary + streaming standby. */
@ExtendWith(SandboxExtension.class)
class OtherMajorsTest {

    @Test
    void postgres13StreamsToItsStandby(@PgMajor(13) Sandbox pg13) throws SQLException {
        assertStreams(pg13, 13);
    }

    @Test
    void postgres18StreamsToItsStandby(@PgMajor(18) Sandbox pg18) throws SQLException {
        assertStreams(pg18, 18);
    }

    private static void assertStreams(Sandbox sandbox, int major) throws SQLException {
        assertThat(sandbox.pgMajor()).isEqualTo(major);
        try (Connection primary = sandbox.connectPrimary();
                Connection standby = sandbox.connectStandby()) {
            assertThat(Sql.longValue(primary, "select current_setting('server_version_num')::int / 10000"))
                    .isEqualTo(major);
            assertThat(Sql.text(standby, "select pg_is_in_recovery()::text")).isEqualTo("true");
            assertThat(Sql.text(
                            primary,
                            "select state from pg_stat_replication where application_name = '" + Sandbox.STANDBY_NAME
                                    + "'"))
                    .isEqualTo("streaming");

            Sql.execute(primary, "create table major_test as select " + major + " as major");
            try {
                Poll.untilPasses(
                        Duration.ofSeconds(30), () -> assertThat(Sql.longValue(standby, "select major from major_test"))
                                .isEqualTo(major));
            } finally {
                Sql.execute(primary, "drop table major_test");
            }
        }
    }
}
