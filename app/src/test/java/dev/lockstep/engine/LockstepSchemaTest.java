package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A schema an earlier version made gets what later versions added, and the session keeps its mode. */
@ExtendWith(SandboxExtension.class)
class LockstepSchemaTest {

    @BeforeAll
    static void database(Sandbox sandbox) {
        EngineDatabase.use(sandbox);
    }

    @Test
    void aSchemaMadeBeforeRecoveryAndTheTwoPersonRuleIsUpgradedInPlace() throws Exception {
        EngineDatabase.execute(
                "drop schema if exists ls_old cascade",
                "create schema ls_old",
                "create table ls_old.run (run_id text primary key, runbook_id text not null, database text not null,"
                        + " runbook_sha256 text not null, holder text not null, pid bigint not null,"
                        + " started_at timestamptz not null default clock_timestamp(),"
                        + " heartbeat_at timestamptz not null default clock_timestamp(), state text not null,"
                        + " current_step text, progress jsonb not null default '{}'::jsonb, ended_at timestamptz,"
                        + " history jsonb not null default '[]'::jsonb)",
                "create table ls_old.step_ledger (run_id text, step_id text, attempt int)",
                "create table ls_old.backfill_checkpoint (run_id text, step_id text)");
        LockstepSchema schema = new LockstepSchema("ls_old");
        try (Connection session = EngineDatabase.connect()) {
            assertThat(schema.exists(session)).isTrue();

            schema.ensure(session);

            assertThat(session.getAutoCommit()).isTrue();
        }
        assertThat(EngineDatabase.queryLong("select count(*) from information_schema.columns where table_schema ="
                        + " 'ls_old' and table_name = 'run' and column_name in ('failure', 'step_fingerprints')"))
                .isEqualTo(2);
        assertThat(EngineDatabase.queryString("select to_regclass('ls_old.second_approval')::text"))
                .isEqualTo("ls_old.second_approval");
    }

    @Test
    void aMissingSchemaIsCreatedWhole() throws Exception {
        EngineDatabase.execute("drop schema if exists ls_new cascade");
        LockstepSchema schema = new LockstepSchema("ls_new");
        try (Connection session = EngineDatabase.connect()) {
            assertThat(schema.exists(session)).isFalse();

            schema.ensure(session);

            assertThat(schema.exists(session)).isTrue();
            assertThat(session.getAutoCommit()).isTrue();
        }
        assertThat(EngineDatabase.queryString("select to_regclass('ls_new.second_approval')::text"))
                .isEqualTo("ls_new.second_approval");
    }
}
