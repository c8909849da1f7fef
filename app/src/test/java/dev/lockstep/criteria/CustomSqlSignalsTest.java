package dev.lockstep.criteria;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Custom SQL signals against the sandbox's primary, over a session in autocommit as the probe's is. */
@ExtendWith(SandboxExtension.class)
class CustomSqlSignalsTest {

    private static Sandbox sandbox;
    private static Connection monitoring;

    @BeforeAll
    static void connect(Sandbox running) throws SQLException {
        sandbox = running;
        monitoring = sandbox.connectPrimary();
        try (Connection setup = sandbox.connectPrimary();
                Statement statement = setup.createStatement()) {
            statement.execute("drop table if exists signal_app_error");
            statement.execute("create table signal_app_error (at timestamptz not null default now())");
            statement.execute("insert into signal_app_error select now() from generate_series(1, 57)");
        }
    }

    @AfterAll
    static void disconnect() throws SQLException {
        monitoring.close();
        try (Connection cleanup = sandbox.connectPrimary();
                Statement statement = cleanup.createStatement()) {
            statement.execute("drop table signal_app_error");
        }
    }

    private static SignalReading readOne(String sql) throws SQLException {
        SignalRef.Sql signal = SignalRef.sql("probe", sql);
        CustomSqlSignals signals =
                new CustomSqlSignals(List.of(signal), Duration.ofMillis(300), Duration.ofMillis(100));
        Map<String, SignalReading> readings = signals.read(monitoring);
        assertThat(readings).containsOnlyKeys("sql:probe");
        assertThat(monitoring.getAutoCommit())
                .as("the session is left in autocommit, as the probe needs it")
                .isTrue();
        return readings.get("sql:probe");
    }

    @Test
    void aQueryReturningOneNumberIsItsValue() throws SQLException {
        assertThat(readOne("select count(*) from signal_app_error where at > now() - interval '1 minute'"))
                .isEqualTo(SignalReading.of(57));
        assertThat(readOne("select 2.5::numeric")).isEqualTo(SignalReading.of(2.5));
        assertThat(readOne("select exists (select from signal_app_error)")).isEqualTo(SignalReading.of(1));
    }

    @Test
    void aFailingQueryIsUnknownWithTheServersReason() throws SQLException {
        assertThat(readOne("select count(*) from no_such_table"))
                .isEqualTo(SignalReading.unknown(
                        "query failed: relation \"no_such_table\" does not exist (SQLSTATE 42P01)"));
    }

    @Test
    void aQueryOutlastingTheTimeoutIsUnknown() throws SQLException {
        assertThat(readOne("select 1 from pg_sleep(5)"))
                .isEqualTo(SignalReading.unknown("query timed out after 300ms"));
    }

    @Test
    void aQueryReturningTwoRowsOrNoNumberIsUnknown() throws SQLException {
        assertThat(readOne("select 1 union all select 2"))
                .isEqualTo(
                        SignalReading.unknown(
                                "the query returned more than one row; a signal query must return exactly one row with one number"));
        assertThat(readOne("select 'many'"))
                .isEqualTo(
                        SignalReading.unknown(
                                "the query returned a value of type text; a signal query must return exactly one row with one number"));
        assertThat(readOne("select 1, 2"))
                .isEqualTo(SignalReading.unknown(
                        "the query returned 2 columns; a signal query must return exactly one row with one number"));
        assertThat(readOne("select 1 where false"))
                .isEqualTo(SignalReading.unknown(
                        "the query returned no row; a signal query must return exactly one row with one number"));
        assertThat(readOne("select null::int"))
                .isEqualTo(SignalReading.unknown(
                        "the query returned NULL; a signal query must return exactly one row with one number"));
    }

    @Test
    void aSignalCannotChangeAnything() throws SQLException {
        SignalReading reading =
                readOne("with gone as (delete from signal_app_error returning 1) select count(*) from gone");

        assertThat(reading)
                .isEqualTo(SignalReading.unknown(
                        "query failed: cannot execute SELECT in a read-only transaction (SQLSTATE 25006)"));
        try (Statement statement = monitoring.createStatement();
                var result = statement.executeQuery("select count(*) from signal_app_error")) {
            result.next();
            assertThat(result.getLong(1)).isEqualTo(57);
        }
    }

    @Test
    void aSignalDoesNotQueueBehindALockHolder() throws SQLException {
        try (Connection holder = sandbox.connectPrimary()) {
            holder.setAutoCommit(false);
            try (Statement statement = holder.createStatement()) {
                statement.execute("lock table signal_app_error in access exclusive mode");
            }

            assertThat(readOne("select count(*) from signal_app_error"))
                    .isEqualTo(SignalReading.unknown("query waited longer than 100ms for a lock"));
            holder.rollback();
        }
    }

    @Test
    void oneFailingSignalLeavesTheOthersReadable() {
        CustomSqlSignals signals = new CustomSqlSignals(List.of(
                SignalRef.sql("broken", "select nope"),
                SignalRef.sql("errors", "select count(*) from signal_app_error")));

        Map<String, SignalReading> readings = signals.read(monitoring);

        assertThat(signals.signals()).containsExactlyInAnyOrder("sql:broken", "sql:errors");
        assertThat(readings.get("sql:broken").isKnown()).isFalse();
        assertThat(readings.get("sql:errors")).isEqualTo(SignalReading.of(57));
    }

    @Test
    void aClosedConnectionMakesEverySignalUnknownInsteadOfThrowing() throws SQLException {
        Connection lost = sandbox.connectPrimary();
        lost.close();
        CustomSqlSignals signals =
                new CustomSqlSignals(List.of(SignalRef.sql("errors", "select count(*) from signal_app_error")));

        SignalReading reading = signals.read(lost).get("sql:errors");

        assertThat(reading).isInstanceOf(SignalReading.Unknown.class);
        assertThat(((SignalReading.Unknown) reading).reason()).startsWith("monitoring connection lost: ");
    }
}
