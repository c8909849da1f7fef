package dev.lockstep.sandbox;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The faults {@code lockstep drill} injects. Each one is real (a paused replay, a held lock, a terminated
 * backend, rows in a table, a trigger that sleeps), refuses a target that lacks what it needs, and undoes
 * itself. By default a target must look like a Lockstep sandbox: a primary with the replication slot
 * {@value Sandbox#SLOT_NAME}, a standby streaming through it.
 */
public final class Drills {

    public static final String APPLICATION_NAME = "lockstep-drill";
    public static final List<String> SCENARIOS =
            List.of("pause-replay", "lock-holder", "kill-connection", "bad-data", "slow-batch", "stuck-liquibase-lock");

    /** Opens a session on the target; the drill labels it itself. */
    @FunctionalInterface
    public interface Opener {
        Connection open() throws SQLException;
    }

    /** Where a drill points: the primary (and a standby for pause-replay), and whether it may be any database. */
    public record Target(Opener primary, Opener standby, boolean anyDatabase) {
        public static Target of(Sandbox sandbox) {
            return new Target(sandbox::connectPrimary, sandbox::connectStandby, false);
        }
    }

    /** What a scenario may be told: the table (lock-holder, slow-batch), rows (bad-data), a wait (kill-connection). */
    public record Options(String table, int rows, Duration delay, Duration patience) {
        public static Options defaults() {
            return new Options("enforcement_case", 60, Duration.ofSeconds(3), Duration.ofSeconds(30));
        }

        public Options withTable(String value) {
            return new Options(value, rows, delay, patience);
        }

        public Options withRows(int value) {
            return new Options(table, value, delay, patience);
        }

        public Options withDelay(Duration value) {
            return new Options(table, rows, value, patience);
        }

        public Options withPatience(Duration value) {
            return new Options(table, rows, delay, value);
        }
    }

    private Drills() {}

    /** The drill for a scenario name; a usage error naming the known ones otherwise. */
    public static Drill of(String scenario, Target target, Options options) {
        return switch (scenario) {
            case "pause-replay" -> new PauseReplay(target);
            case "lock-holder" -> new LockHolder(target, options.table());
            case "kill-connection" -> new KillConnection(target, options.patience());
            case "bad-data" -> new BadData(target, options.rows());
            case "slow-batch" -> new SlowBatch(target, options.table(), options.delay());
            case "stuck-liquibase-lock" -> new StuckLiquibaseLock(target);
            default -> throw LockstepException.usage(
                    "unknown drill scenario '" + scenario + "'; pick one of " + String.join(", ", SCENARIOS));
        };
    }

    /** WAL replay paused on the standby: its replication lag grows with every write on the primary. */
    private static final class PauseReplay implements Drill {
        private final Target target;
        private Connection session;
        private boolean paused;

        PauseReplay(Target target) {
            this.target = target;
        }

        @Override
        public String scenario() {
            return "pause-replay";
        }

        @Override
        public String inject() {
            if (target.standby() == null) {
                throw LockstepException.usage("pause-replay needs a standby: give it with --standby CONN");
            }
            session = open(target.standby(), "the standby");
            try {
                if (!bool(session, "select pg_is_in_recovery()")) {
                    throw LockstepException.usage("pause-replay: the --standby server is not in recovery (it is a"
                            + " primary); give the streaming standby");
                }
                if (!target.anyDatabase()
                        && !bool(
                                session, "select current_setting('primary_slot_name') = '" + Sandbox.SLOT_NAME + "'")) {
                    throw notASandbox("the standby does not stream through the slot " + Sandbox.SLOT_NAME);
                }
                execute(session, "select pg_wal_replay_pause()");
                paused = true;
                return "pause-replay: paused WAL replay on the standby; its lag now grows";
            } catch (SQLException e) {
                throw failed("pause-replay", e);
            }
        }

        @Override
        public String undo() {
            if (!paused) {
                closeQuietly(session);
                return "pause-replay: nothing to undo";
            }
            try {
                Connection resumer = isUsable(session) ? session : open(target.standby(), "the standby");
                try {
                    execute(resumer, "select pg_wal_replay_resume()");
                } finally {
                    closeQuietly(resumer);
                }
                paused = false;
                return "pause-replay: resumed WAL replay on the standby; it catches up";
            } catch (SQLException | LockstepException e) {
                return "pause-replay: COULD NOT resume replay (" + e.getMessage()
                        + "); run  select pg_wal_replay_resume();  on the standby";
            } finally {
                closeQuietly(session);
            }
        }
    }

    /**
     * A session holds SHARE on a table in an open transaction (writes and DDL queue behind it, reads go on),
     * and a second session queues a write behind it, as an application would: a real lock queue.
     */
    private static final class LockHolder implements Drill {
        private final Target target;
        private final String table;
        private Connection holder;
        private Connection waiter;
        private CompletableFuture<Void> queuedWrite;
        private int holderPid;
        private int waiterPid;
        private String relation;

        LockHolder(Target target, String table) {
            this.target = target;
            this.table = table;
        }

        @Override
        public String scenario() {
            return "lock-holder";
        }

        @Override
        public String inject() {
            holder = open(target.primary(), "the primary");
            try {
                requireSandboxPrimary(holder, target);
                relation = relation(holder, table);
                holderPid = backendPid(holder);
                holder.setAutoCommit(false);
                execute(holder, "set local lock_timeout = '5s'");
                execute(holder, "lock table " + relation + " in share mode");
                waiter = open(target.primary(), "the primary");
                waiterPid = backendPid(waiter);
                waiter.setAutoCommit(false);
                execute(waiter, "set local lock_timeout = 0");
                execute(waiter, "set local statement_timeout = 0");
                Connection queued = waiter;
                queuedWrite = CompletableFuture.runAsync(() -> {
                    try {
                        execute(queued, "lock table " + relation + " in row exclusive mode");
                        queued.rollback();
                    } catch (SQLException e) {
                        // cancelled or terminated by undo: the queue is gone either way
                    }
                });
                awaitWaiting(holder, waiterPid);
                return "lock-holder: session pid " + holderPid + " holds SHARE on " + relation
                        + " in an open transaction (writes and DDL on it queue; reads go on); pid " + waiterPid
                        + " queues a write behind it, as an application would";
            } catch (SQLException e) {
                throw failed("lock-holder", e);
            }
        }

        private static void awaitWaiting(Connection session, int pid) throws SQLException {
            String failure = Polling.until(Duration.ofSeconds(10), () -> {
                try (PreparedStatement statement = session.prepareStatement(
                        "select exists (select 1 from pg_locks where pid = ? and not granted)")) {
                    statement.setInt(1, pid);
                    try (ResultSet rows = statement.executeQuery()) {
                        return rows.next() && rows.getBoolean(1);
                    }
                }
            });
            if (failure != null) {
                throw new SQLException("the queued write (pid " + pid + ") never waited for the lock: " + failure);
            }
        }

        @Override
        public String undo() {
            if (holder == null) {
                return "lock-holder: nothing to undo";
            }
            try {
                holder.rollback();
            } catch (SQLException e) {
                // a dead holder session has released its lock already
            }
            closeQuietly(holder);
            holder = null;
            if (queuedWrite != null) {
                try {
                    queuedWrite.get(10, TimeUnit.SECONDS);
                } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                    // left to closing its session below
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            closeQuietly(waiter);
            return relation == null
                    ? "lock-holder: nothing to undo"
                    : "lock-holder: released the lock on " + relation + " (pid " + holderPid
                            + " rolled back); the queued write (pid " + waiterPid + ") went through and rolled back";
        }
    }

    /** Lockstep's control sessions terminated with pg_terminate_backend, as a failover or a DBA would. */
    private static final class KillConnection implements Drill {
        private final Target target;
        private final Duration wait;

        KillConnection(Target target, Duration wait) {
            this.target = target;
            this.wait = wait;
        }

        @Override
        public String scenario() {
            return "kill-connection";
        }

        @Override
        public String inject() {
            try (Connection session = open(target.primary(), "the primary")) {
                requireSandboxPrimary(session, target);
                List<Integer> killed = new ArrayList<>();
                String failure = Polling.until(wait, () -> {
                    killed.addAll(terminateControlSessions(session));
                    return !killed.isEmpty();
                });
                if (failure != null) {
                    throw LockstepException.usage("kill-connection: no Lockstep control session (application_name"
                            + " lockstep-control) appeared on this database within " + wait.toSeconds()
                            + "s" + (failure.startsWith("timed out") ? "" : " (" + failure + ")")
                            + ": start a run first");
                }
                return "kill-connection: terminated Lockstep's control session"
                        + (killed.size() == 1 ? " pid " : "s pids ")
                        + String.join(", ", killed.stream().map(String::valueOf).toList())
                        + " (pg_terminate_backend); the run should report the lost session, reconnect and go on";
            } catch (SQLException e) {
                throw failed("kill-connection", e);
            }
        }

        /**
         * Lists first, terminates second: in one query the planner may call pg_terminate_backend before the
         * filters that keep it to Lockstep's control sessions.
         */
        private static List<Integer> terminateControlSessions(Connection session) throws SQLException {
            List<Integer> candidates = new ArrayList<>();
            try (Statement statement = session.createStatement();
                    ResultSet rows = statement.executeQuery(
                            """
                            select pid from pg_stat_activity
                            where application_name = 'lockstep-control' and datname = current_database()
                              and pid <> pg_backend_pid()
                            """)) {
                while (rows.next()) {
                    candidates.add(rows.getInt(1));
                }
            }
            List<Integer> terminated = new ArrayList<>();
            for (int pid : candidates) {
                try (PreparedStatement statement = session.prepareStatement("select pg_terminate_backend(?)")) {
                    statement.setInt(1, pid);
                    try (ResultSet rows = statement.executeQuery()) {
                        if (rows.next() && rows.getBoolean(1)) {
                            terminated.add(pid);
                        }
                    }
                }
            }
            return terminated;
        }

        @Override
        public String undo() {
            return "kill-connection: nothing to undo (the run reconnects by itself)";
        }
    }

    /** Rows in app_error, as a failing application logs them: a runbook's app-errors criterion counts them. */
    private static final class BadData implements Drill {
        static final String MESSAGE = "lockstep drill: simulated application error";
        private final Target target;
        private final int rows;
        private long firstId = -1;
        private long lastId = -1;

        BadData(Target target, int rows) {
            if (rows < 1) {
                throw LockstepException.usage("bad-data: --rows must be at least 1, not " + rows);
            }
            this.target = target;
            this.rows = rows;
        }

        @Override
        public String scenario() {
            return "bad-data";
        }

        @Override
        public String inject() {
            try (Connection session = open(target.primary(), "the primary")) {
                requireSandboxPrimary(session, target);
                relation(session, "app_error");
                try (PreparedStatement statement = session.prepareStatement(
                        "with added as (insert into app_error (at, message) select now(), ? from generate_series(1, ?)"
                                + " returning id) select min(id), max(id) from added")) {
                    statement.setString(1, MESSAGE);
                    statement.setInt(2, rows);
                    try (ResultSet result = statement.executeQuery()) {
                        result.next();
                        firstId = result.getLong(1);
                        lastId = result.getLong(2);
                    }
                }
                return "bad-data: inserted " + rows + " rows into app_error (at = now()), as a failing application"
                        + " logs them; a criterion counting the last minute's errors sees them";
            } catch (SQLException e) {
                throw failed("bad-data", e);
            }
        }

        @Override
        public String undo() {
            if (firstId < 0) {
                return "bad-data: nothing to undo";
            }
            try (Connection session = open(target.primary(), "the primary");
                    PreparedStatement statement = session.prepareStatement(
                            "delete from app_error where id between ? and ? and message = ?")) {
                statement.setLong(1, firstId);
                statement.setLong(2, lastId);
                statement.setString(3, MESSAGE);
                int deleted = statement.executeUpdate();
                firstId = -1;
                return "bad-data: deleted the " + deleted + " app_error rows it inserted";
            } catch (SQLException | LockstepException e) {
                return "bad-data: COULD NOT delete its rows (" + e.getMessage() + "); they have message '" + MESSAGE
                        + "'";
            }
        }
    }

    /**
     * A Liquibase ledger whose lock a killed deploy left behind: {@code databasechangelog} and {@code
     * databasechangeloglock} as Liquibase creates them, in a schema of their own, locked 47 minutes ago by a
     * host at a documentation address (192.0.2.10, RFC 5737) that never connects. A run then meets
     * {@code ledger-locked} before its first step, with the release offered.
     */
    private static final class StuckLiquibaseLock implements Drill {
        static final String SCHEMA = "lockstep_drill_liquibase";
        static final String LOCKED_BY = "deploy-runner-3 (192.0.2.10)";
        private final Target target;
        private boolean created;

        StuckLiquibaseLock(Target target) {
            this.target = target;
        }

        @Override
        public String scenario() {
            return "stuck-liquibase-lock";
        }

        @Override
        public String inject() {
            try (Connection session = open(target.primary(), "the primary")) {
                requireSandboxPrimary(session, target);
                if (bool(session, "select exists (select 1 from pg_namespace where nspname = '" + SCHEMA + "')")) {
                    throw LockstepException.usage("stuck-liquibase-lock: schema " + SCHEMA + " already exists (an"
                            + " earlier drill not undone?); drop it first: drop schema " + SCHEMA + " cascade");
                }
                session.setAutoCommit(false);
                execute(session, "create schema " + SCHEMA);
                execute(
                        session,
                        "create table " + SCHEMA + ".databasechangeloglock (id integer not null, locked boolean not"
                                + " null, lockgranted timestamp without time zone, lockedby varchar(255),"
                                + " constraint databasechangeloglock_pkey primary key (id))");
                execute(
                        session,
                        "create table " + SCHEMA + ".databasechangelog (id varchar(255) not null, author varchar(255)"
                                + " not null, filename varchar(255) not null, dateexecuted timestamp without time zone"
                                + " not null, orderexecuted integer not null, exectype varchar(10) not null, md5sum"
                                + " varchar(35), description varchar(255), comments varchar(255), tag varchar(255),"
                                + " liquibase varchar(20), contexts varchar(255), labels varchar(255), deployment_id"
                                + " varchar(10))");
                execute(
                        session,
                        "insert into " + SCHEMA + ".databasechangelog values ('1', 'drill', 'db/changelog.xml', now()"
                                + " - interval '1 day', 1, 'EXECUTED', '9:0a1b', 'createTable', '', null, '4.29.2',"
                                + " null, null, '0000000001')");
                execute(
                        session,
                        "insert into " + SCHEMA + ".databasechangeloglock values (1, true, now() - interval '47"
                                + " minutes', '" + LOCKED_BY + "')");
                session.commit();
                created = true;
                return "stuck-liquibase-lock: " + SCHEMA + ".databasechangeloglock locked 47 minutes ago by "
                        + LOCKED_BY + ", a host with no session here; a run stops before its first step"
                        + " (ledger-locked) and offers to release it";
            } catch (SQLException e) {
                throw failed("stuck-liquibase-lock", e);
            }
        }

        @Override
        public String undo() {
            if (!created) {
                return "stuck-liquibase-lock: nothing to undo";
            }
            try (Connection session = open(target.primary(), "the primary")) {
                execute(session, "drop schema if exists " + SCHEMA + " cascade");
                created = false;
                return "stuck-liquibase-lock: dropped schema " + SCHEMA + " and its Liquibase tables";
            } catch (SQLException | LockstepException e) {
                return "stuck-liquibase-lock: COULD NOT drop schema " + SCHEMA + " (" + e.getMessage()
                        + "); run: drop schema " + SCHEMA + " cascade";
            }
        }
    }

    /** A statement trigger that sleeps before every UPDATE on a table: every batch takes at least the delay. */
    private static final class SlowBatch implements Drill {
        private static final String NAME = "lockstep_drill_slow";
        private final Target target;
        private final String table;
        private final Duration delay;
        private String relation;

        SlowBatch(Target target, String table, Duration delay) {
            this.target = target;
            this.table = table;
            this.delay = delay;
        }

        @Override
        public String scenario() {
            return "slow-batch";
        }

        @Override
        public String inject() {
            try (Connection session = open(target.primary(), "the primary")) {
                requireSandboxPrimary(session, target);
                String found = relation(session, table);
                execute(session, "set lock_timeout = '5s'");
                execute(
                        session,
                        "create or replace function " + NAME + "() returns trigger language plpgsql as $$ begin"
                                + " perform pg_sleep(" + String.format(Locale.ROOT, "%.3f", delay.toMillis() / 1000.0)
                                + "); return null; end $$");
                execute(
                        session,
                        "create trigger " + NAME + " before update on " + found
                                + " for each statement execute function " + NAME + "()");
                relation = found;
                return "slow-batch: every UPDATE statement on " + found + " now sleeps " + delay.toMillis()
                        + " ms first (statement trigger " + NAME + "); batches slow down";
            } catch (SQLException e) {
                throw failed("slow-batch", e);
            }
        }

        @Override
        public String undo() {
            if (relation == null) {
                return "slow-batch: nothing to undo";
            }
            try (Connection session = open(target.primary(), "the primary")) {
                execute(session, "set lock_timeout = '30s'");
                execute(session, "drop trigger if exists " + NAME + " on " + relation);
                execute(session, "drop function if exists " + NAME + "()");
                String undone = "slow-batch: dropped the trigger " + NAME + " on " + relation;
                relation = null;
                return undone;
            } catch (SQLException | LockstepException e) {
                return "slow-batch: COULD NOT drop the trigger (" + e.getMessage() + "); run  drop trigger " + NAME
                        + " on " + relation + ";";
            }
        }
    }

    private static Connection open(Opener opener, String what) {
        try {
            Connection connection = opener.open();
            execute(connection, "set application_name = '" + APPLICATION_NAME + "'");
            return connection;
        } catch (SQLException e) {
            throw LockstepException.unreachable("drill: cannot connect to " + what + ": " + e.getMessage(), null);
        }
    }

    private static void requireSandboxPrimary(Connection session, Target target) throws SQLException {
        if (bool(session, "select pg_is_in_recovery()")) {
            throw LockstepException.usage("the --db server is in recovery (a standby); this drill needs the primary");
        }
        if (!target.anyDatabase()
                && !bool(
                        session,
                        "select exists (select 1 from pg_replication_slots where slot_name = '" + Sandbox.SLOT_NAME
                                + "')")) {
            throw notASandbox("the primary has no replication slot " + Sandbox.SLOT_NAME);
        }
    }

    private static LockstepException notASandbox(String why) {
        return LockstepException.usage("refusing to drill: this does not look like a Lockstep sandbox (" + why
                + "); drills inject real faults; add --any-database if this is a rehearsal database");
    }

    /** The table as a quoted, schema-qualified-when-needed name; a usage error when there is none. */
    private static String relation(Connection session, String table) throws SQLException {
        try (PreparedStatement statement = session.prepareStatement("select to_regclass(?)::text")) {
            statement.setString(1, table);
            try (ResultSet rows = statement.executeQuery()) {
                String found = rows.next() ? rows.getString(1) : null;
                if (found == null) {
                    throw LockstepException.usage("no table " + table + " in this database");
                }
                return found;
            }
        }
    }

    private static int backendPid(Connection session) throws SQLException {
        try (Statement statement = session.createStatement();
                ResultSet rows = statement.executeQuery("select pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static boolean bool(Connection session, String sql) throws SQLException {
        try (Statement statement = session.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() && rows.getBoolean(1);
        }
    }

    private static void execute(Connection session, String sql) throws SQLException {
        try (Statement statement = session.createStatement()) {
            statement.execute(sql);
        }
    }

    private static boolean isUsable(Connection session) {
        try {
            return session != null && session.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void closeQuietly(Connection session) {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                // closing a broken session: nothing more to release
            }
        }
    }

    private static LockstepException failed(String scenario, SQLException e) {
        return new LockstepException(
                ExitCode.INTERNAL_ERROR,
                scenario + ": " + e.getMessage()
                        + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")"));
    }
}
