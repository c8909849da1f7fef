package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.sandbox.LedgerTables;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code watch} shows the migration tools' ledgers found on the database, typed in {@code --json} and as one
 * line each in plain mode: a Flyway history with a failed row whose advisory lock a session holds, and a
 * Liquibase lock left by a host that is gone.
 */
@ExtendWith(SandboxExtension.class)
class WatchLedgersTest {

    private static final String FLYWAY = "ldg_watch_flyway";
    private static final String LIQUIBASE = "ldg_watch_liquibase";

    private static Sandbox sandbox;

    @BeforeAll
    static void shareTheRunsSandbox(Sandbox shared) {
        sandbox = shared;
    }

    @AfterEach
    void dropTheLedgers() throws SQLException {
        execute(LedgerTables.drop(FLYWAY), LedgerTables.drop(LIQUIBASE));
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(sandbox.primaryJdbcUrl());
    }

    private static void execute(String... statements) throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static JsonNode ledger(JsonNode ledgers, String schema) {
        for (JsonNode ledger : ledgers) {
            if (ledger.get("schema").asText().equals(schema)) {
                return ledger;
            }
        }
        throw new AssertionError("no ledger in " + schema + ": " + ledgers);
    }

    @Test
    void noLedgerNoLine() throws Exception {
        CliRun json = CliRun.of("watch", "--db", sandbox.primaryUri(), "--once", "--json");

        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode document = new ObjectMapper().readTree(json.out());
        assertThat(document.at("/primary/parts/migration_ledgers/state").asText())
                .isEqualTo("ok");
        assertThat(document.at("/primary/ledgers").isArray()).isTrue();
        assertThat(document.at("/primary/ledgers")).isEmpty();
        assertThat(CliRun.of("watch", "--db", sandbox.primaryUri(), "--once").out())
                .doesNotContain("ledger ");
    }

    @Test
    void onceShowsAFailedFlywayRowItsAdvisoryLockAndAStuckLiquibaseLock() throws Exception {
        // given: Flyway at 2 with V3 failed, its migrate in progress (its advisory lock held by a session)
        execute(LedgerTables.flyway(FLYWAY));
        execute(
                LedgerTables.flywayRow(FLYWAY, 1, "1", "create account", true),
                LedgerTables.flywayRow(FLYWAY, 2, "2", "add email", true),
                LedgerTables.flywayRow(FLYWAY, 3, "3", "add email index", false));
        // Flyway's key: "Flyway" in ASCII plus the hash of the quoted table name (PostgreSQLAdvisoryLockTemplate)
        long flywayKey = 77431708279161L + ("\"" + FLYWAY + "\".\"flyway_schema_history\"").hashCode();
        // and Liquibase locked two hours ago by a host with no session left
        execute(LedgerTables.liquibase(LIQUIBASE));
        execute(LedgerTables.liquibaseLocked(LIQUIBASE, "ci-runner-7 (10.254.1.7)", "2 hours"));
        try (Connection migrating = connect();
                Statement statement = migrating.createStatement()) {
            int pid;
            try (ResultSet row =
                    statement.executeQuery("select pg_backend_pid(), pg_advisory_lock(" + flywayKey + ")")) {
                row.next();
                pid = row.getInt(1);
            }

            // when
            CliRun json = CliRun.of("watch", "--db", sandbox.primaryUri(), "--once", "--json");
            CliRun plain = CliRun.of("watch", "--db", sandbox.primaryUri(), "--once");

            // then: typed in JSON
            assertThat(json.exitCode()).as(json.err()).isZero();
            JsonNode ledgers = new ObjectMapper().readTree(json.out()).at("/primary/ledgers");
            JsonNode flyway = ledger(ledgers, FLYWAY);
            assertThat(flyway.get("tool").asText()).isEqualTo("flyway");
            assertThat(flyway.get("current_version").asText()).isEqualTo("2");
            assertThat(flyway.get("current_description").asText()).isEqualTo("add email");
            assertThat(flyway.get("applied").asLong()).isEqualTo(2);
            assertThat(flyway.at("/failed/0/version").asText()).isEqualTo("3");
            assertThat(flyway.at("/failed/0/script").asText()).isEqualTo("V3__add_email_index.sql");
            assertThat(flyway.at("/lock/holder_pid").asInt()).isEqualTo(pid);
            assertThat(flyway.at("/lock/holder_alive").asText()).isEqualTo("alive");
            JsonNode liquibase = ledger(ledgers, LIQUIBASE);
            assertThat(liquibase.get("tool").asText()).isEqualTo("liquibase");
            assertThat(liquibase.get("current_version").asText()).isEqualTo("2");
            assertThat(liquibase.get("failed")).isEmpty();
            assertThat(liquibase.at("/lock/locked_by").asText()).isEqualTo("ci-runner-7 (10.254.1.7)");
            assertThat(liquibase.at("/lock/age_seconds").asDouble()).isGreaterThan(7000);
            assertThat(liquibase.at("/lock/granted_at").asText()).endsWith("Z");
            assertThat(liquibase.at("/lock/holder_alive").asText()).isEqualTo("gone");
            assertThat(liquibase.at("/lock/holder").asText()).contains("address 10.254.1.7");

            // and one line each in plain mode, within 80 columns
            assertThat(plain.exitCode()).as(plain.err()).isZero();
            assertThat(plain.out())
                    .contains("ledger flyway " + FLYWAY + ": at 2 | 1 FAILED: 3 add email index")
                    .contains("ledger liquibase " + LIQUIBASE + ": at 2 | LOCKED 2h");
            assertThat(plain.out().lines())
                    .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        }
    }

    @Test
    void aSessionNamingTheLockHoldersHostInItsApplicationNameKeepsItAlive() throws Exception {
        // given: the lock's host runs a job whose sessions carry its name, from an address that is not the lock's
        execute(LedgerTables.liquibase(LIQUIBASE));
        execute(LedgerTables.liquibaseLocked(LIQUIBASE, "ci-runner-7 (10.254.1.7)", "2 minutes"));
        java.util.Properties named = new java.util.Properties();
        named.setProperty("ApplicationName", "liquibase@ci-runner-7");
        try (Connection job = DriverManager.getConnection(sandbox.primaryJdbcUrl(), named)) {
            assertThat(job.isValid(2)).isTrue();

            CliRun json = CliRun.of("watch", "--db", sandbox.primaryUri(), "--once", "--json");

            JsonNode lock = ledger(new ObjectMapper().readTree(json.out()).at("/primary/ledgers"), LIQUIBASE)
                    .get("lock");
            assertThat(lock.get("holder_alive").asText()).isEqualTo("alive");
            assertThat(lock.get("holder").asText()).contains("application 'liquibase@ci-runner-7'");
        }
    }
}
