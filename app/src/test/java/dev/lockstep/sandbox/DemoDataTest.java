package dev.lockstep.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SandboxExtension.class)
class DemoDataTest {

    @Test
    void loadsTheTablesTheRunbooksTargetAndTheStandbyReplaysThem(Sandbox sandbox) throws SQLException {
        try (Connection admin = sandbox.connectPrimary()) {
            Sql.execute(admin, "create database demo_data_test");
        }
        String primaryUrl = sandbox.primaryJdbcUrl().replace("/postgres?", "/demo_data_test?");
        String standbyUrl = sandbox.standbyJdbcUrl().replace("/postgres?", "/demo_data_test?");
        try {
            try (Connection primary = DriverManager.getConnection(primaryUrl)) {
                assertThat(DemoData.isLoaded(primary)).isFalse();
                DemoData.load(primary);
                assertThat(DemoData.isLoaded(primary)).isTrue();
            }
            sandbox.awaitStandbyReplay(Duration.ofSeconds(60));

            try (Connection standby = DriverManager.getConnection(standbyUrl)) {
                assertThat(Sql.longValue(standby, "select count(*) from enforcement_case"))
                        .isEqualTo(DemoData.ENFORCEMENT_CASES);
                assertThat(Sql.longValue(standby, "select count(*) from enforcement_case where status = 'OPEN'"))
                        .isEqualTo(DemoData.ENFORCEMENT_CASES * 6L / 10);
                assertThat(Sql.longValue(standby, "select count(*) from customer"))
                        .isEqualTo(DemoData.CUSTOMERS);
                assertThat(Sql.longValue(standby, "select count(*) from orders"))
                        .isEqualTo(DemoData.ORDERS);
                assertThat(Sql.longValue(standby, "select count(*) from app_error"))
                        .isZero();
                assertThat(Sql.longValue(
                                standby,
                                "select count(*) from orders o where not exists"
                                        + " (select 1 from customer c where c.id = o.customer_id)"))
                        .as("every order belongs to a customer")
                        .isZero();
                assertThat(Sql.text(standby, "select shipping_address::text from orders where id = 1"))
                        .isEqualTo(
                                "{\"city\": \"Leeds\", \"street\": \"2 Station Road\", \"country\": \"GB\", \"postcode\": \"00037\"}");
                assertThat(Sql.text(standby, "select assignee from enforcement_case where id = 1"))
                        .isEqualTo("user:7");
            }
        } finally {
            try (Connection admin = sandbox.connectPrimary()) {
                Sql.execute(admin, "drop database demo_data_test");
            }
        }
    }
}
