package dev.lockstep.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.Poll;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What other tests build on: password roles and rules, an unreachable standby, replay waiting. */
@ExtendWith(SandboxExtension.class)
class SandboxHelpersTest {

    @Test
    void passwordRuleRefusesTheWrongPasswordAndAcceptsTheRightOne(Sandbox sandbox) throws SQLException {
        // given a non-superuser monitoring role that must use SCRAM
        sandbox.createLoginRole("helpers_monitor", "s3cret'pw", "pg_monitor");
        sandbox.requirePassword("helpers_monitor", AuthMethod.SCRAM_SHA_256);

        // then a wrong password is refused on both servers with SQLSTATE 28P01
        for (String url : new String[] {sandbox.primaryJdbcUrl(), sandbox.standbyJdbcUrl()}) {
            assertThatThrownBy(() -> connect(url, "helpers_monitor", "wrong").close())
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("28P01");
        }
        // and the right password logs in as a pg_monitor member that is not a superuser
        try (Connection monitor = connect(sandbox.primaryJdbcUrl(), "helpers_monitor", "s3cret'pw")) {
            assertThat(Sql.text(monitor, "select current_user")).isEqualTo("helpers_monitor");
            assertThat(Sql.text(monitor, "select pg_has_role('pg_monitor', 'member')::text"))
                    .isEqualTo("true");
            assertThat(Sql.text(monitor, "select rolsuper::text from pg_roles where rolname = current_user"))
                    .isEqualTo("false");
        }
        // the standby got the role through replication
        Poll.untilPasses(Duration.ofSeconds(30), () -> connect(sandbox.standbyJdbcUrl(), "helpers_monitor", "s3cret'pw")
                .close());
    }

    @Test
    void md5RuleAlsoChecksThePassword(Sandbox sandbox) throws SQLException {
        sandbox.createLoginRole("helpers_md5", "another-secret");
        sandbox.requirePassword("helpers_md5", AuthMethod.MD5);

        assertThatThrownBy(() ->
                        connect(sandbox.primaryJdbcUrl(), "helpers_md5", "nope").close())
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState())
                .isEqualTo("28P01");
        try (Connection connection = connect(sandbox.primaryJdbcUrl(), "helpers_md5", "another-secret")) {
            assertThat(Sql.text(connection, "select current_user")).isEqualTo("helpers_md5");
        }
    }

    @Test
    void stoppedStandbyIsUnreachableAndStreamsAgainAfterStart(Sandbox sandbox) throws SQLException {
        int port = sandbox.standbyPort();
        try {
            sandbox.stopStandby();

            assertThat(sandbox.isStandbyRunning()).isFalse();
            assertThatThrownBy(() -> sandbox.connectStandby().close())
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("08001");
        } finally {
            sandbox.startStandby();
        }
        assertThat(sandbox.standbyPort()).isEqualTo(port);
        try (Connection primary = sandbox.connectPrimary()) {
            Poll.untilPasses(Duration.ofSeconds(30), () -> assertThat(Sql.text(
                            primary,
                            "select state from pg_stat_replication where application_name = '" + Sandbox.STANDBY_NAME
                                    + "'"))
                    .isEqualTo("streaming"));
        }
    }

    private static Connection connect(String jdbcUrl, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        // the sandbox URL names postgres as its user; the properties override it
        return DriverManager.getConnection(jdbcUrl.replace("?user=postgres", ""), properties);
    }
}
