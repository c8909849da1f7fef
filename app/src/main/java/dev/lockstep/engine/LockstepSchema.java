package dev.lockstep.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;

/**
 * The schema Lockstep owns in the target database: who holds which run, which steps ended, and where
 * each backfill stands. Created on first use; every statement is {@code IF NOT EXISTS} and runs under a
 * short lock timeout so that creating it can never queue behind application traffic.
 */
public final class LockstepSchema {

    public static final String DEFAULT_NAME = "lockstep";

    /** Serialises concurrent first uses; an arbitrary constant in the advisory lock space ("LSchema"). */
    private static final long CREATE_LOCK = 0x4c53636865_6d61L;

    private final String name;

    public LockstepSchema(String name) {
        this.name = Identifiers.plain(name, "the Lockstep schema name");
    }

    public static LockstepSchema defaultSchema() {
        return new LockstepSchema(DEFAULT_NAME);
    }

    public String name() {
        return name;
    }

    /** A table of this schema, ready to put into SQL. */
    String table(String table) {
        return name + "." + table;
    }

    /**
     * Runs {@code work} on a handle over {@code session} ({@link BorrowedHandles}: the session's transaction and
     * settings stay the caller's) in whose SQL {@code <run>}, {@code <step_ledger>}, {@code <backfill_checkpoint>}
     * and {@code <second_approval>} name this schema's tables.
     */
    <T> T withHandle(Connection session, HandleCallback<T, SQLException> work) throws SQLException {
        return BorrowedHandles.with(
                session,
                handle -> work.withHandle(handle.define("run", table("run"))
                        .define("step_ledger", table("step_ledger"))
                        .define("backfill_checkpoint", table("backfill_checkpoint"))
                        .define("second_approval", table("second_approval"))));
    }

    void useHandle(Connection session, HandleConsumer<SQLException> work) throws SQLException {
        withHandle(session, handle -> {
            work.useHandle(handle);
            return null;
        });
    }

    /**
     * Creates the schema and its tables when missing, and adds the columns later versions added. Leaves the
     * connection's auto-commit as it found it.
     */
    public void ensure(Connection connection) throws SQLException {
        useHandle(connection, handle -> {
            if (exists(handle)) {
                if (!hasColumn(handle, "step_fingerprints")) {
                    addLaterColumns(handle);
                }
                if (!hasTable(handle, "second_approval")) {
                    underTheSchemaLock(handle, this::createSecondApprovals);
                }
                return;
            }
            underTheSchemaLock(handle, this::create);
        });
    }

    private void create(Handle handle) {
        handle.execute("create schema if not exists " + name);
        handle.execute(
                """
                create table if not exists <run> (
                    run_id text primary key,
                    runbook_id text not null,
                    database text not null,
                    runbook_sha256 text not null,
                    holder text not null,
                    pid bigint not null,
                    started_at timestamptz not null default clock_timestamp(),
                    heartbeat_at timestamptz not null default clock_timestamp(),
                    state text not null,
                    current_step text,
                    progress jsonb not null default '{}'::jsonb,
                    ended_at timestamptz,
                    history jsonb not null default '[]'::jsonb,
                    failure jsonb,
                    step_fingerprints jsonb)""");
        handle.execute("create index if not exists run_by_runbook on <run> (runbook_id, database, started_at desc)");
        handle.execute(
                """
                create table if not exists <step_ledger> (
                    run_id text not null references <run> on delete cascade,
                    step_id text not null,
                    attempt int not null,
                    started_at timestamptz not null default clock_timestamp(),
                    ended_at timestamptz,
                    result text,
                    rows bigint,
                    transactional boolean not null,
                    detail text,
                    primary key (run_id, step_id, attempt))""");
        handle.execute(
                """
                create table if not exists <backfill_checkpoint> (
                    run_id text not null references <run> on delete cascade,
                    runbook_id text not null,
                    step_id text not null,
                    last_key text,
                    keys_done bigint not null default 0,
                    rows_done bigint not null default 0,
                    batches bigint not null default 0,
                    done boolean not null default false,
                    updated_at timestamptz not null default clock_timestamp(),
                    primary key (run_id, step_id))""");
        createSecondApprovals(handle);
    }

    /**
     * A schema created by an earlier version: the run row's undecided failure and its steps' fingerprints
     * (which steps a changed runbook changed) go in columns added now.
     */
    private void addLaterColumns(Handle handle) throws SQLException {
        underTheSchemaLock(handle, locked -> {
            locked.execute("alter table <run> add column if not exists failure jsonb");
            locked.execute("alter table <run> add column if not exists step_fingerprints jsonb");
        });
    }

    /**
     * Runs {@code change} in one transaction under the schema's advisory lock, so that two processes starting
     * at once do not race to create or alter it, with a short lock timeout so that Lockstep never queues behind
     * application traffic on its own tables. Leaves the connection's auto-commit as it found it. The transaction
     * is driven on the connection, as the engine drives all of its own, not by Jdbi ({@link BorrowedHandles}).
     */
    private static void underTheSchemaLock(Handle handle, HandleConsumer<SQLException> change) throws SQLException {
        Connection connection = handle.getConnection();
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            handle.execute("set local lock_timeout = '2s'");
            handle.execute("select pg_advisory_xact_lock(" + CREATE_LOCK + ")");
            change.useHandle(handle);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * R5's second approver (docs/runbook-format.md, "Two approvers"): the run writes the row with the first
     * approver when it starts waiting; {@code lockstep approve} fills in the second.
     */
    private void createSecondApprovals(Handle handle) {
        handle.execute(
                """
                create table if not exists <second_approval> (
                    run_id text not null references <run> on delete cascade,
                    step_id text not null,
                    first_approver text not null,
                    first_user text not null,
                    requested_at timestamptz not null default clock_timestamp(),
                    approver text,
                    approver_user text,
                    reason text,
                    approved_at timestamptz,
                    primary key (run_id, step_id),
                    check ((approver is null) = (reason is null) and (reason is null or reason <> '')))""");
    }

    /** Whether a table of this schema exists, without taking any lock (a catalog read). */
    boolean hasTable(Handle handle, String table) {
        return handle.select("select to_regclass(?) is not null", table(table))
                .mapTo(boolean.class)
                .one();
    }

    /**
     * The server-side batch driver ({@link BatchDriver}): a procedure in this schema, installed on a backfill's
     * first use of it. Its name carries its version: a later Lockstep that changes it installs a new name
     * beside it, and a run of either version finds its own. Throws when it cannot be installed (the caller
     * then keeps the client-side path).
     */
    void ensureBatchDriver(Connection connection) throws SQLException {
        useHandle(connection, handle -> {
            boolean installed = handle.select(
                            """
                            select exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                                            where n.nspname = ? and p.proname = ?)""",
                            name,
                            BatchDriver.PROCEDURE)
                    .mapTo(boolean.class)
                    .one();
            if (!installed) {
                // Sent as it is, not through Jdbi's templating: the procedure's body has its own < and >.
                underTheSchemaLock(handle, locked -> {
                    try (Statement statement = locked.getConnection().createStatement()) {
                        statement.execute(BatchDriver.procedure(this));
                    }
                });
            }
        });
    }

    private boolean hasColumn(Handle handle, String column) {
        return handle.select(
                        """
                        select exists (select 1 from pg_attribute
                                        where attrelid = to_regclass(?) and attname = ? and not attisdropped)""",
                        table("run"),
                        column)
                .mapTo(boolean.class)
                .one();
    }

    /** Whether the tables exist, without taking any lock (a catalog read). */
    public boolean exists(Connection connection) throws SQLException {
        return withHandle(connection, this::exists);
    }

    boolean exists(Handle handle) {
        return handle.select(
                        "select to_regclass(?) is not null and to_regclass(?) is not null and to_regclass(?) is not null",
                        table("run"),
                        table("step_ledger"),
                        table("backfill_checkpoint"))
                .mapTo(boolean.class)
                .one();
    }
}
