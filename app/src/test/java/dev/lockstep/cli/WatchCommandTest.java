package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.sandbox.AuthMethod;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.net.ServerSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SandboxExtension.class)
class WatchCommandTest {

    private static Sandbox sandbox;

    @BeforeAll
    static void shareTheRunsSandbox(Sandbox shared) {
        sandbox = shared;
    }

    @Test
    void onceJsonPrintsOneDocumentWithSignalsLagAndParts() throws Exception {
        CliRun run =
                CliRun.of("watch", "--db", sandbox.primaryUri(), "--standby", sandbox.standbyUri(), "--once", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip().lines()).hasSize(1);
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.get("format").asInt()).isEqualTo(1);
        assertThat(json.get("taken_at").asText()).endsWith("Z");
        assertThat(json.get("signals").has("lock_wait_seconds")).isTrue();
        assertThat(json.get("signals").get("blocked_sessions").asInt()).isZero();
        assertThat(json.get("standby_lag").get(0).get("state").asText()).isIn("caught_up", "lagging");
        assertThat(json.at("/primary/parts/locks/state").asText()).isEqualTo("ok");
        assertThat(json.at("/primary/server/version_num").asInt()).isGreaterThanOrEqualTo(130000);
        assertThat(json.at("/primary/locks/waiting").isArray()).isTrue();
        assertThat(json.at("/primary/unreachable_since").isNull()).isTrue();
        assertThat(json.at("/standbys/0/recovery/in_recovery").asBoolean()).isTrue();
        assertThat(json.at("/primary/replication/0/application_name").asText()).isEqualTo(Sandbox.STANDBY_NAME);
        assertThat(json.at("/primary/replication_slots/0/retained_bytes").isNumber())
                .isTrue();
        assertThat(json.at("/primary/progress/vacuum").isArray()).isTrue();
    }

    @Test
    void oncePlainFitsEightyColumns() {
        CliRun run = CliRun.of("watch", "--db", sandbox.primaryUri(), "--standby", sandbox.standbyUri(), "--once");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("== ");
        assertThat(run.out()).contains("locks: no waits").contains("standby: ").contains("xacts: oldest");
        assertThat(run.out().lines())
                .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
    }

    @Test
    void aClosedPortIsOneLineAndExitFive() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CliRun run =
                CliRun.of("watch", "--db", "postgresql://postgres@127.0.0.1:" + closedPort + "/postgres", "--once");

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("lockstep: cannot connect to postgresql://postgres@127.0.0.1:" + closedPort)
                .contains("connection refused"));
    }

    @Test
    void aWrongPasswordIsOneLineExitFiveAndNeverPrinted() {
        sandbox.createLoginRole("lockstep_pw", "right-horse-battery");
        sandbox.requirePassword("lockstep_pw", AuthMethod.SCRAM_SHA_256);
        CliRun run = CliRun.of(
                "watch",
                "--db",
                "postgresql://lockstep_pw:wrong-staple@127.0.0.1:" + sandbox.primaryPort() + "/postgres",
                "--once",
                "--json");

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
                .contains("password authentication failed for user \"lockstep_pw\""));
        assertThat(run.err() + run.out()).doesNotContain("wrong-staple").doesNotContain("right-horse-battery");
    }

    @Test
    void tlsRequiredOnAServerWithoutTlsIsOneLineAndExitFive() {
        CliRun run = CliRun.of(
                "watch",
                "--db",
                "postgresql://postgres@127.0.0.1:" + sandbox.primaryPort() + "/postgres?sslmode=require",
                "--once");

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.err().strip().lines()).singleElement().satisfies(line -> assertThat(line)
                .contains("TLS required"));
    }

    @Test
    void aStandbyThatIsAPrimaryIsAWarningNotAFailure() {
        CliRun run =
                CliRun.of("watch", "--db", sandbox.primaryUri(), "--standby", sandbox.primaryUri(), "--once", "--json");

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).startsWith("lockstep: warning: --standby ").contains("is not in recovery");
        assertThat(run.out()).contains("\"state\":\"not_in_recovery\"");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(CliRun.of("watch", "--db", sandbox.primaryUri(), "--json", "--plain", "--once")
                        .exitCode())
                .isEqualTo(2);
        CliRun badInterval = CliRun.of("watch", "--db", sandbox.primaryUri(), "--interval", "0.1s");
        assertThat(badInterval.exitCode()).isEqualTo(2);
        assertThat(badInterval.err()).contains("between 200ms and 1h");
    }
}
