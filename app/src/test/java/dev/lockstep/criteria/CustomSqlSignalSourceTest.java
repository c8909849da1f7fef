package dev.lockstep.criteria;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CustomSqlSignalSourceTest {

    private static Connection monitoring;

    @BeforeAll
    static void connect() throws SQLException {
        monitoring = SharedPostgres.connect("lockstep-monitor");
        try (Connection setup = SharedPostgres.connect("criteria-test");
                Statement statement = setup.createStatement()) {
            statement.execute("create table if not exists app_error (at timestamptz not null default now())");
            statement.execute("truncate app_error");
            statement.execute("insert into app_error select now() from generate_series(1, 57)");
        }
    }

    @AfterAll
    static void disconnect() throws SQLException {
        monitoring.close();
    }

    private static SignalReading readOne(String sql) {
        SignalRef.Sql signal = SignalRef.sql("probe", sql);
        CustomSqlSignalSource source =
                new CustomSqlSignalSource(monitoring, List.of(signal), Duration.ofMillis(300), Duration.ofMillis(100));
        Map<String, SignalReading> readings = source.sample();
        assertThat(readings).containsOnlyKeys("sql:probe");
        return readings.get("sql:probe");
    }

    @Test
    void aQueryReturningOneNumberIsItsValue() {
        assertThat(readOne("select count(*) from app_error where at > now() - interval '1 minute'"))
                .isEqualTo(SignalReading.of(57));
        assertThat(readOne("select 2.5::numeric")).isEqualTo(SignalReading.of(2.5));
        assertThat(readOne("select exists (select from app_error)")).isEqualTo(SignalReading.of(1));
    }

    @Test
    void aFailingQueryIsUnknownWithTheServersReason() {
        assertThat(readOne("select count(*) from no_such_table"))
                .isEqualTo(SignalReading.unknown(
                        "query failed: relation \"no_such_table\" does not exist (SQLSTATE 42P01)"));
    }

    @Test
    void aQueryOutlastingTheTimeoutIsUnknown() {
        assertThat(readOne("select 1 from pg_sleep(5)"))
                .isEqualTo(SignalReading.unknown("query timed out after 300ms"));
    }

    @Test
    void aQueryReturningTwoRowsOrNoNumberIsUnknown() {
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
        SignalReading reading = readOne("with gone as (delete from app_error returning 1) select count(*) from gone");

        assertThat(reading)
                .isEqualTo(SignalReading.unknown(
                        "query failed: cannot execute SELECT in a read-only transaction (SQLSTATE 25006)"));
        try (Statement statement = monitoring.createStatement();
                var result = statement.executeQuery("select count(*) from app_error")) {
            result.next();
            assertThat(result.getLong(1)).isEqualTo(57);
        }
        monitoring.rollback();
    }

    @Test
    void aSignalDoesNotQueueBehindALockHolder() throws SQLException {
        try (Connection holder = SharedPostgres.connect("criteria-test-holder")) {
            holder.setAutoCommit(false);
            try (Statement statement = holder.createStatement()) {
                statement.execute("lock table app_error in access exclusive mode");
            }

            assertThat(readOne("select count(*) from app_error"))
                    .isEqualTo(SignalReading.unknown("query waited longer than 100ms for a lock"));
            holder.rollback();
        }
    }

    @Test
    void oneFailingSignalLeavesTheOthersReadable() {
        CustomSqlSignalSource source = new CustomSqlSignalSource(
                monitoring,
                List.of(
                        SignalRef.sql("broken", "select nope"),
                        SignalRef.sql("errors", "select count(*) from app_error")));

        Map<String, SignalReading> readings = source.sample();

        assertThat(source.signals()).containsExactlyInAnyOrder("sql:broken", "sql:errors");
        assertThat(readings.get("sql:broken").isKnown()).isFalse();
        assertThat(readings.get("sql:errors")).isEqualTo(SignalReading.of(57));
    }

    @Test
    void aClosedConnectionMakesEverySignalUnknownInsteadOfThrowing() throws SQLException {
        Connection lost = SharedPostgres.connect("lockstep-monitor");
        lost.close();
        CustomSqlSignalSource source =
                new CustomSqlSignalSource(lost, List.of(SignalRef.sql("errors", "select count(*) from app_error")));

        SignalReading reading = source.sample().get("sql:errors");

        assertThat(reading).isInstanceOf(SignalReading.Unknown.class);
        assertThat(((SignalReading.Unknown) reading).reason()).startsWith("monitoring connection lost: ");
    }
}
