package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.cli.CliRun;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * R3: a contract-phase runbook refuses to start while its declared precondition (no application version that
 * needs the old shape still runs) does not hold: it stops before anything changes, resumable, and goes on once
 * the precondition holds. Through the real command line against the embedded PostgreSQL.
 */
@ExtendWith(SandboxExtension.class)
class PreconditionTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void database(Sandbox sandbox) {
        EngineDatabase.use(sandbox);
    }

    private static Path runbook(String id, String steps) throws IOException {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %s
                title: a contract that waits for the old application to be gone
                owner: tests
                intent: prove that a contract does not start while its precondition fails
                change: { class: R2, phase: contract }
                steps:
                %s
                """
                        .formatted(id, steps.indent(2).stripTrailing()),
                StandardCharsets.UTF_8);
        return file;
    }

    private static CliRun run(Path runbook) {
        return PlainRuns.run(dir, runbook);
    }

    private static String nullable() throws Exception {
        return EngineDatabase.queryString("select is_nullable from information_schema.columns"
                + " where table_name = 'pc_case' and column_name = 'priority'");
    }

    @Test
    void aContractDoesNotStartWhileItsPreconditionFailsAndGoesOnOnceItHolds() throws Exception {
        // given: an old application node is still connected (its row in pc_old_nodes)
        EngineDatabase.execute(
                "drop table if exists pc_case, pc_old_nodes",
                "create table pc_case (id int primary key, priority text)",
                "insert into pc_case values (1, 'NORMAL')",
                "create table pc_old_nodes (host text)",
                "insert into pc_old_nodes values ('app-7')");
        Path runbook = runbook(
                "T-pc-contract",
                """
                - id: no-old-nodes
                  kind: check
                  precondition: true
                  sql: select count(*) from pc_old_nodes
                  expect: { equals: 0 }
                - id: priority-not-null
                  kind: sql
                  sql: alter table pc_case alter column priority set not null
                """);

        // when
        CliRun refused = run(runbook);
        String afterRefusal = nullable();
        EngineDatabase.execute("delete from pc_old_nodes");
        CliRun started = run(runbook);

        // then: stopped before anything changed (exit 4, resumable), no question, the reading named
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(4);
        assertThat(refused.out())
                .contains("precondition no-old-nodes does not hold")
                .contains("nothing was changed")
                .doesNotContain("options");
        assertThat(afterRefusal).isEqualTo("YES");
        // and once the old node is gone, the same command goes on
        assertThat(started.exitCode()).as(started.out() + started.err()).isZero();
        assertThat(nullable()).isEqualTo("NO");
    }

    @Test
    void aContractWithoutAPreconditionOrWithOneAfterAChangeIsInvalid() throws Exception {
        Path none = runbook(
                "T-pc-none",
                """
                - id: priority-not-null
                  kind: sql
                  sql: alter table pc_case alter column priority set not null
                """);
        Path late = runbook(
                "T-pc-late",
                """
                - id: priority-not-null
                  kind: sql
                  sql: alter table pc_case alter column priority set not null
                - id: no-old-nodes
                  kind: check
                  precondition: true
                  sql: select count(*) from pc_old_nodes
                  expect: { equals: 0 }
                """);

        CliRun withoutOne = CliRun.of("validate", none.toString());
        CliRun afterAChange = CliRun.of("validate", late.toString());

        assertThat(withoutOne.exitCode()).isEqualTo(3);
        assertThat(withoutOne.out() + withoutOne.err())
                .containsPattern("T-pc-none.yaml:\\d+:\\d+: a contract-phase runbook needs a precondition");
        assertThat(afterAChange.exitCode()).isEqualTo(3);
        assertThat(afterAChange.out() + afterAChange.err())
                .contains("precondition 'no-old-nodes' comes after step 'priority-not-null' changes something");
    }
}
