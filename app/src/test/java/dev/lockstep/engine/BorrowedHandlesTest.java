package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stores run on Jdbi handles that only borrow the engine's control session: a batch, its checkpoint and its
 * ledger rows commit in one transaction that the engine owns, and the engine classifies failures by SQLSTATE.
 */
@ExtendWith(SandboxExtension.class)
class BorrowedHandlesTest {

    @BeforeAll
    static void database(Sandbox sandbox) {
        EngineDatabase.use(sandbox);
    }

    @Test
    void aHandleLeavesTheSessionItsTransactionAndItsSettingsToTheOwner() throws Exception {
        EngineDatabase.execute("drop table if exists borrowed_t", "create table borrowed_t (id int)");
        try (Connection session = EngineDatabase.connect()) {
            session.setAutoCommit(false);
            session.createStatement().execute("set lock_timeout = '1234ms'");

            BorrowedHandles.with(session, handle -> handle.execute("insert into borrowed_t values (1)"));

            assertThat(session.isClosed()).isFalse();
            assertThat(session.getAutoCommit()).isFalse();
            assertThat(EngineDatabase.queryLong("select count(*) from borrowed_t"))
                    .as("the insert waits for the owner's commit")
                    .isZero();
            BorrowedHandles.with(session, handle -> handle.execute("insert into borrowed_t values (2)"));
            session.commit();
            assertThat(EngineDatabase.queryLong("select count(*) from borrowed_t"))
                    .isEqualTo(2);
            String lockTimeout = BorrowedHandles.with(session, handle -> handle.select("show lock_timeout")
                    .mapTo(String.class)
                    .one());
            assertThat(lockTimeout).isEqualTo("1234ms");
        }
    }

    @Test
    void aFailedStatementThrowsTheDriversExceptionWithItsSqlState() throws Exception {
        try (Connection session = EngineDatabase.connect()) {
            assertThatThrownBy(() -> BorrowedHandles.with(session, handle -> handle.execute("select 1/0")))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22012"));
            assertThat(session.isClosed()).isFalse();
        }
    }

    @Test
    void whileNoRunRowNamesTheHolderTheRefusalNamesTheLockHoldersSession() throws Exception {
        LockstepSchema schema = LockstepSchema.defaultSchema();
        try (Connection holder = EngineDatabase.connect();
                Connection second = EngineDatabase.connect()) {
            schema.ensure(holder);
            holder.createStatement().execute("set application_name = 'holder-app'");
            holder.createStatement().execute("select pg_advisory_lock(" + RunLease.lockKey("T-borrowed") + ")");

            assertThatThrownBy(() -> new RunLease(schema, "T-borrowed")
                            .acquire(second, "sha-1", Map.of(), new Holder("bob", "bastion", 78), null))
                    .isInstanceOf(LockstepException.class)
                    .hasMessageContaining("T-borrowed is already running on this database: held by backend ")
                    .hasMessageContaining(", holder-app)")
                    .satisfies(
                            e -> assertThat(((LockstepException) e).exitCode()).isEqualTo(ExitCode.STOPPED));
        }
    }
}
