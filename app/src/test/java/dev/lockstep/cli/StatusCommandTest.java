package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code lockstep status} after a real run, as an operator on an 80-column terminal reads it. */
@ExtendWith(SandboxExtension.class)
class StatusCommandTest {

    /** The schema of these runs only: the sandbox is shared, and status lists every run of its schema. */
    private static final String SCHEMA = "lockstep_status_test";

    private static final String RUNBOOK_ID = "CHG-2026-1203-status-lists-every-run-80-cols";

    @Test
    void statusFitsEightyColumnsAndJsonKeepsItsFields(Sandbox sandbox, @TempDir Path dir) throws Exception {
        // given: one finished run whose runbook id is as long as the examples'
        try (Connection connection = sandbox.connectPrimary();
                Statement statement = connection.createStatement()) {
            statement.execute("drop schema if exists " + SCHEMA + " cascade");
        }
        Path runbook = dir.resolve("status.yaml");
        Files.writeString(
                runbook,
                """
                lockstep: 1
                id: %s
                title: a run for status to list
                owner: tests
                intent: one check, so that the run table has a row
                change: { class: R0, phase: expand }
                steps:
                  - id: one-check
                    kind: check
                    sql: select 1
                    expect: { equals: 1 }
                """
                        .formatted(RUNBOOK_ID));
        CliRun run = CliRun.of(
                "run",
                runbook.toString(),
                "--db",
                sandbox.primaryUri(),
                "--schema",
                SCHEMA,
                "--plain",
                "--unsigned",
                "--timeline",
                dir.resolve("timeline").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();

        // when
        CliRun status = CliRun.of("status", "--db", sandbox.primaryUri(), "--schema", SCHEMA);
        CliRun json = CliRun.of("status", "--db", sandbox.primaryUri(), "--schema", SCHEMA, "--json");

        // then: two lines for the run, each within 80 columns, the runbook id whole
        assertThat(status.exitCode()).as(status.err()).isZero();
        List<String> lines = status.out().lines().toList();
        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).hasSizeLessThanOrEqualTo(80));
        assertThat(lines.get(0)).matches(RUNBOOK_ID + "  run \\d{8}T\\d{6}Z-\\w+");
        assertThat(lines.get(1)).matches("  done  +\\S+@\\S+ pid \\d+  seen \\d+s ago");

        // and --json is what it was: the same fields, the run id and the progress included
        JsonNode runs = new ObjectMapper().readTree(json.out()).get("runs");
        assertThat(runs).hasSize(1);
        List<String> fields = new ArrayList<>();
        runs.get(0).fieldNames().forEachRemaining(fields::add);
        assertThat(fields)
                .containsExactly(
                        "run_id",
                        "runbook_id",
                        "database",
                        "runbook_sha256",
                        "state",
                        "current_step",
                        "holder",
                        "pid",
                        "holder_gone",
                        "started_at",
                        "heartbeat_at",
                        "heartbeat_age_seconds",
                        "ended_at",
                        "progress",
                        "failure",
                        "waiting_for");
        assertThat(runs.get(0).get("runbook_id").asText()).isEqualTo(RUNBOOK_ID);
        assertThat(lines.get(0)).contains(runs.get(0).get("run_id").asText());
    }
}
