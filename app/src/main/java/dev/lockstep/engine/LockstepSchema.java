package dev.lockstep.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

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
     * Creates the schema and its tables when missing, and adds the columns later versions added. Leaves the
     * connection's auto-commit as it found it.
     */
    public void ensure(Connection connection) throws SQLException {
        if (exists(connection)) {
            if (!hasColumn(connection, "step_fingerprints")) {
                addLaterColumns(connection);
            }
            if (!hasTable(connection, "second_approval")) {
                addSecondApprovals(connection);
            }
            return;
        }
        underTheSchemaLock(connection, statement -> {
            statement.execute("create schema if not exists " + name);
            statement.execute("create table if not exists " + table("run") + " ("
                    + " run_id text primary key,"
                    + " runbook_id text not null,"
                    + " database text not null,"
                    + " runbook_sha256 text not null,"
                    + " holder text not null,"
                    + " pid bigint not null,"
                    + " started_at timestamptz not null default clock_timestamp(),"
                    + " heartbeat_at timestamptz not null default clock_timestamp(),"
                    + " state text not null,"
                    + " current_step text,"
                    + " progress jsonb not null default '{}'::jsonb,"
                    + " ended_at timestamptz,"
                    + " history jsonb not null default '[]'::jsonb,"
                    + " failure jsonb,"
                    + " step_fingerprints jsonb)");
            statement.execute("create index if not exists run_by_runbook on " + table("run")
                    + " (runbook_id, database, started_at desc)");
            statement.execute("create table if not exists " + table("step_ledger") + " ("
                    + " run_id text not null references " + table("run") + " on delete cascade,"
                    + " step_id text not null,"
                    + " attempt int not null,"
                    + " started_at timestamptz not null default clock_timestamp(),"
                    + " ended_at timestamptz,"
                    + " result text,"
                    + " rows bigint,"
                    + " transactional boolean not null,"
                    + " detail text,"
                    + " primary key (run_id, step_id, attempt))");
            statement.execute("create table if not exists " + table("backfill_checkpoint") + " ("
                    + " run_id text not null references " + table("run") + " on delete cascade,"
                    + " runbook_id text not null,"
                    + " step_id text not null,"
                    + " last_key text,"
                    + " keys_done bigint not null default 0,"
                    + " rows_done bigint not null default 0,"
                    + " batches bigint not null default 0,"
                    + " done boolean not null default false,"
                    + " updated_at timestamptz not null default clock_timestamp(),"
                    + " primary key (run_id, step_id))");
            createSecondApprovals(statement);
        });
    }

    /**
     * A schema created by an earlier version: the run row's undecided failure and its steps' fingerprints
     * (which steps a changed runbook changed) go in columns added now.
     */
    private void addLaterColumns(Connection connection) throws SQLException {
        underTheSchemaLock(connection, statement -> {
            statement.execute("alter table " + table("run") + " add column if not exists failure jsonb");
            statement.execute("alter table " + table("run") + " add column if not exists step_fingerprints jsonb");
        });
    }

    /** A schema created before the two-person rule of R5 runbooks: its table is added now. */
    private void addSecondApprovals(Connection connection) throws SQLException {
        underTheSchemaLock(connection, this::createSecondApprovals);
    }

    /** DDL on Lockstep's own schema. */
    @FunctionalInterface
    private interface SchemaChange {
        void apply(Statement statement) throws SQLException;
    }

    /**
     * Runs {@code change} in one transaction under the schema's advisory lock, so that two processes starting
     * at once do not race to create or alter it, with a short lock timeout so that Lockstep never queues behind
     * application traffic on its own tables. Leaves the connection's auto-commit as it found it.
     */
    private static void underTheSchemaLock(Connection connection, SchemaChange change) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("set local lock_timeout = '2s'");
            statement.execute("select pg_advisory_xact_lock(" + CREATE_LOCK + ")");
            change.apply(statement);
            connection.commit();
        } catch (SQLException e) {
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
    private void createSecondApprovals(Statement statement) throws SQLException {
        statement.execute("create table if not exists " + table("second_approval") + " ("
                + " run_id text not null references " + table("run") + " on delete cascade,"
                + " step_id text not null,"
                + " first_approver text not null,"
                + " first_user text not null,"
                + " requested_at timestamptz not null default clock_timestamp(),"
                + " approver text,"
                + " approver_user text,"
                + " reason text,"
                + " approved_at timestamptz,"
                + " primary key (run_id, step_id),"
                + " check ((approver is null) = (reason is null) and (reason is null or reason <> '')))");
    }

    /**
     * The server-side batch driver ({@link BatchDriver}): a procedure in this schema, installed on a backfill's
     * first use of it. Its name carries its version: a later Lockstep that changes it installs a new name
     * beside it, and a run of either version finds its own. False when it cannot be installed (the caller
     * then keeps the client-side path).
     */
    boolean ensureBatchDriver(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select exists (select 1 from pg_proc p"
                + " join pg_namespace n on n.oid = p.pronamespace where n.nspname = ? and p.proname = ?)")) {
            statement.setString(1, name);
            statement.setString(2, BatchDriver.PROCEDURE);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                if (rows.getBoolean(1)) {
                    return true;
                }
            }
        }
        underTheSchemaLock(connection, statement -> statement.execute(BatchDriver.procedure(this)));
        return true;
    }

    private boolean hasTable(Connection connection, String table) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select to_regclass(?) is not null")) {
            statement.setString(1, table(table));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    private boolean hasColumn(Connection connection, String column) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("select exists (select 1 from pg_attribute"
                + " where attrelid = to_regclass(?) and attname = ? and not attisdropped)")) {
            statement.setString(1, table("run"));
            statement.setString(2, column);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    /** Whether the tables exist, without taking any lock (a catalog read). */
    public boolean exists(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "select to_regclass(?) is not null and to_regclass(?) is not null and to_regclass(?) is not null")) {
            statement.setString(1, table("run"));
            statement.setString(2, table("step_ledger"));
            statement.setString(3, table("backfill_checkpoint"));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }
}
