package dev.lockstep.sandbox;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real PostgreSQL primary and a real physical streaming standby of it, both on 127.0.0.1 on free
 * ports, for the {@code sandbox} and {@code demo} commands and for the tests.
 *
 * <p>The standby is a cold copy of the primary's freshly initialised data directory with
 * {@code standby.signal}; it streams from the primary through the physical replication slot
 * {@value #SLOT_NAME} as {@code application_name} {@value #STANDBY_NAME}. Both trust every connection
 * from loopback as any role (a sandbox), unless {@link #requirePassword} adds a password rule.
 *
 * <p>On disk: {@code primary/} and {@code standby/} data directories, {@code primary.log},
 * {@code standby.log}, and {@value #MARKER} which marks the directory as a sandbox that can be started
 * again. {@link #close()} stops both servers (and removes a temporary directory). A shutdown hook does
 * the same if the JVM exits without closing.
 */
public final class Sandbox implements AutoCloseable {
    /** The physical replication slot on the primary the standby streams through. */
    public static final String SLOT_NAME = "lockstep_standby";
    /** The standby's application_name, as pg_stat_replication shows it on the primary. */
    public static final String STANDBY_NAME = "lockstep_standby";

    static final String MARKER = "lockstep-sandbox.properties";
    private static final String LOCK = ".lock";
    private static final Pattern ROLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Duration STREAMING_TIMEOUT = Duration.ofSeconds(60);

    private final Path baseDir;
    private final boolean temporary;
    private final PgBinaries binaries;
    private final PgServer primary;
    private final PgServer standby;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Thread shutdownHook;
    private final Consumer<String> progress;
    private Optional<OrphanWatchdog> watchdog = Optional.empty();
    private List<Leftover> left;

    /** A server that stopping the sandbox left running: its postmaster would not stop. */
    public record Leftover(String server, long pid, Path dataDir) {}

    private Sandbox(
            Path baseDir,
            boolean temporary,
            PgBinaries binaries,
            FileChannel lockChannel,
            FileLock lock,
            Consumer<String> progress) {
        this.baseDir = baseDir;
        this.temporary = temporary;
        this.binaries = binaries;
        this.progress = progress;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.primary = new PgServer("primary", binaries, baseDir.resolve("primary"), baseDir.resolve("primary.log"));
        this.standby = new PgServer("standby", binaries, baseDir.resolve("standby"), baseDir.resolve("standby.log"));
        this.shutdownHook = new Thread(this::close, "lockstep-sandbox-shutdown");
    }

    /** Starts a temporary sandbox of the default major. */
    public static Sandbox start() {
        return start(SandboxConfig.defaults());
    }

    /**
     * Starts primary and standby and returns once both accept connections and the standby streams.
     *
     * @throws LockstepException USAGE for a directory that cannot be used or binaries that are missing,
     *     INTERNAL_ERROR when PostgreSQL does not start (the message names the log)
     */
    public static Sandbox start(SandboxConfig config) {
        PgBinaries binaries = config.binaries().locate(config.pgMajor(), config.progress());
        boolean temporary = config.dir().isEmpty();
        Path baseDir = config.dir().map(Path::toAbsolutePath).orElseGet(Sandbox::createTempDir);
        Sandbox sandbox = lockAndCreate(baseDir, temporary, binaries, config.progress());
        try {
            Runtime.getRuntime().addShutdownHook(sandbox.shutdownHook);
            // before the servers start, so that a kill -9 while they start leaves nothing running either
            sandbox.watchdog = OrphanWatchdog.start(
                    baseDir, temporary, List.of(baseDir.resolve("primary"), baseDir.resolve("standby")));
            sandbox.startServers(config);
            return sandbox;
        } catch (RuntimeException e) {
            sandbox.close();
            throw e;
        }
    }

    private static Sandbox lockAndCreate(
            Path baseDir, boolean temporary, PgBinaries binaries, Consumer<String> progress) {
        try {
            Files.createDirectories(baseDir);
            FileChannel channel =
                    FileChannel.open(baseDir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw LockstepException.usage(baseDir + " is in use by another running sandbox");
            }
            return new Sandbox(baseDir, temporary, binaries, channel, lock, progress);
        } catch (IOException e) {
            throw LockstepException.usage("cannot use " + baseDir + " for a sandbox: " + e.getMessage());
        }
    }

    private void startServers(SandboxConfig config) {
        if (Files.isRegularFile(baseDir.resolve(MARKER))) {
            int existing = markedMajor();
            if (existing != binaries.major()) {
                throw LockstepException.usage(baseDir + " holds a PostgreSQL " + existing + " sandbox, not "
                        + binaries.major() + ": use --pg " + existing + " or another directory");
            }
            config.progress().accept("reusing the PostgreSQL " + existing + " sandbox in " + baseDir);
        } else {
            prepare(config);
        }
        int primaryPort = freePort();
        int standbyPort = freePort();
        while (standbyPort == primaryPort) {
            standbyPort = freePort();
        }
        config.progress().accept("starting the primary on 127.0.0.1:" + primaryPort);
        primary.start(primaryPort, Map.of());
        primary.awaitReady();
        ensureSlot();
        config.progress().accept("starting the standby on 127.0.0.1:" + standbyPort);
        standby.start(standbyPort, standbySettings());
        standby.awaitReady();
        awaitStreaming();
    }

    /** initdb the primary, configure it for replication, and copy it (cold) into the standby. */
    private void prepare(SandboxConfig config) {
        try (Stream<Path> entries = Files.list(baseDir)) {
            List<Path> unexpected = entries.filter(
                            path -> !path.getFileName().toString().equals(LOCK))
                    .toList();
            if (!unexpected.isEmpty()) {
                throw LockstepException.usage(baseDir + " is neither empty nor a lockstep sandbox (it holds "
                        + unexpected.get(0).getFileName() + "): choose an empty or new directory");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.progress()
                .accept("initdb: PostgreSQL " + binaries.major() + " (" + binaries.artifactVersion() + ") in "
                        + baseDir);
        primary.initdb();
        try {
            Files.writeString(primary.dataDir().resolve("postgresql.conf"), SERVER_CONF, StandardOpenOption.APPEND);
            FileTrees.copy(primary.dataDir(), standby.dataDir(), relative -> false);
            Files.createFile(standby.dataDir().resolve("standby.signal"));
            Properties marker = new Properties();
            marker.setProperty("pg_major", Integer.toString(binaries.major()));
            marker.setProperty("binaries", binaries.artifactVersion());
            try (OutputStream out = Files.newOutputStream(baseDir.resolve(MARKER))) {
                marker.store(out, "a lockstep sandbox: primary/ and its streaming standby standby/");
            }
        } catch (IOException e) {
            throw new LockstepException(ExitCode.INTERNAL_ERROR, "cannot prepare the sandbox in " + baseDir, e);
        }
    }

    /**
     * Settings of both servers. fsync is off: a sandbox is disposable, and the 2-core test machines
     * should not wait on the disk. max_connections covers benchmarks with 500 sessions; a standby needs
     * at least the primary's value, and it has it, because it is a copy.
     */
    private static final String SERVER_CONF =
            """

            # lockstep sandbox
            listen_addresses = '127.0.0.1'
            unix_socket_directories = ''
            max_connections = 600
            wal_level = replica
            max_wal_senders = 10
            max_replication_slots = 10
            wal_keep_size = '256MB'
            hot_standby = on
            wal_receiver_status_interval = '1s'
            track_commit_timestamp = off
            fsync = off
            """;

    private Map<String, String> standbySettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        // On the command line, not in a file: the primary's port changes on every start.
        settings.put(
                "primary_conninfo",
                "host=127.0.0.1 port=" + primary.port() + " user=postgres application_name=" + STANDBY_NAME);
        settings.put("primary_slot_name", SLOT_NAME);
        return settings;
    }

    private void ensureSlot() {
        try (Connection connection = connectPrimary();
                PreparedStatement statement = connection.prepareStatement(
                        "select pg_create_physical_replication_slot(?, true) where not exists"
                                + " (select 1 from pg_replication_slots where slot_name = ?)")) {
            statement.setString(1, SLOT_NAME);
            statement.setString(2, SLOT_NAME);
            statement.execute();
        } catch (SQLException e) {
            throw new LockstepException(ExitCode.INTERNAL_ERROR, "cannot create the replication slot", e);
        }
    }

    /** Until the primary's walsender for the standby is past catch-up: what probes will see. */
    private void awaitStreaming() {
        String failure = Polling.until(STREAMING_TIMEOUT, () -> {
            try (Connection connection = connectPrimary();
                    PreparedStatement statement = connection.prepareStatement(
                            "select state from pg_stat_replication where application_name = ?")) {
                statement.setString(1, STANDBY_NAME);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() && "streaming".equals(rows.getString(1));
                }
            }
        });
        if (failure != null) {
            throw new LockstepException(
                    ExitCode.INTERNAL_ERROR,
                    "the standby does not stream from the primary: " + failure + "; " + standby.lastLogProblem()
                            + " (log: " + baseDir.resolve("standby.log") + ")");
        }
    }

    private int markedMajor() {
        Properties marker = new Properties();
        try (InputStream in = Files.newInputStream(baseDir.resolve(MARKER))) {
            marker.load(in);
            return Integer.parseInt(marker.getProperty("pg_major", "0"));
        } catch (IOException | NumberFormatException e) {
            throw LockstepException.usage(baseDir.resolve(MARKER) + " is unreadable: " + e.getMessage());
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("lockstep-sandbox-");
        } catch (IOException e) {
            throw new LockstepException(ExitCode.INTERNAL_ERROR, "cannot create a temporary directory", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new LockstepException(ExitCode.INTERNAL_ERROR, "no free port on 127.0.0.1", e);
        }
    }

    // ---- what callers use -------------------------------------------------------------------------

    /** {@code postgresql://postgres@127.0.0.1:PORT/postgres} */
    public String primaryUri() {
        return uri(primary.port());
    }

    /** {@code postgresql://postgres@127.0.0.1:PORT/postgres} */
    public String standbyUri() {
        return uri(standby.port());
    }

    public String primaryJdbcUrl() {
        return primary.jdbcUrl();
    }

    public String standbyJdbcUrl() {
        return standby.jdbcUrl();
    }

    public int primaryPort() {
        return primary.port();
    }

    public int standbyPort() {
        return standby.port();
    }

    public Path primaryDataDir() {
        return primary.dataDir();
    }

    public Path standbyDataDir() {
        return standby.dataDir();
    }

    /** The directory holding both data directories and their logs. */
    public Path baseDir() {
        return baseDir;
    }

    public int pgMajor() {
        return binaries.major();
    }

    public PgBinaries binaries() {
        return binaries;
    }

    /** A new connection to the primary as the superuser postgres; the caller closes it. */
    public Connection connectPrimary() throws SQLException {
        return DriverManager.getConnection(primary.jdbcUrl());
    }

    /** A new connection to the standby as the superuser postgres; the caller closes it. */
    public Connection connectStandby() throws SQLException {
        return DriverManager.getConnection(standby.jdbcUrl());
    }

    /**
     * Creates (or alters) a login role with a password, member of the given roles (e.g. pg_monitor).
     * The password goes to the server quoted by the server ({@code format %L}) and nowhere else.
     */
    public void createLoginRole(String role, String password, String... memberOf) {
        requireRoleName(role);
        try (Connection connection = connectPrimary()) {
            boolean exists;
            try (PreparedStatement statement =
                    connection.prepareStatement("select 1 from pg_roles where rolname = ?")) {
                statement.setString(1, role);
                try (ResultSet rows = statement.executeQuery()) {
                    exists = rows.next();
                }
            }
            String ddl = serverFormat(
                    connection, (exists ? "ALTER" : "CREATE") + " ROLE %I LOGIN PASSWORD %L", role, password);
            try (Statement statement = connection.createStatement()) {
                statement.execute(ddl);
                for (String granted : memberOf) {
                    statement.execute(serverFormat(connection, "GRANT %I TO %I", granted, role));
                }
            }
        } catch (SQLException e) {
            // the statement text holds the password: report the role and the SQLSTATE only
            throw new LockstepException(
                    ExitCode.INTERNAL_ERROR, "cannot create role " + role + " (SQLSTATE " + e.getSQLState() + ")");
        }
    }

    /**
     * Makes connections of {@code role} from loopback need a password checked by {@code method}, on the
     * primary and on the standby (pg_hba.conf is not replicated). The rule goes first, before the
     * sandbox's trust rules; running servers reload.
     */
    public void requirePassword(String role, AuthMethod method) {
        requireRoleName(role);
        String rule = "host all " + role + " 127.0.0.1/32 " + method.hbaName() + System.lineSeparator();
        for (PgServer server : List.of(primary, standby)) {
            Path hba = server.dataDir().resolve("pg_hba.conf");
            try {
                String current = Files.readString(hba, StandardCharsets.UTF_8);
                Files.writeString(hba, rule + current, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new LockstepException(ExitCode.INTERNAL_ERROR, "cannot change " + hba, e);
            }
        }
        reload(primary);
        if (standby.isRunning()) {
            reload(standby);
        }
    }

    /** Stops the standby (fast shutdown): probes see it unreachable; its port stays reserved for it. */
    public void stopStandby() {
        standby.stop(progress);
    }

    /** Starts the stopped standby again on the same port and waits until it streams. */
    public void startStandby() {
        standby.start(standby.port(), standbySettings());
        standby.awaitReady();
        awaitStreaming();
    }

    public boolean isStandbyRunning() {
        return standby.isRunning();
    }

    /** Waits until the standby has replayed everything the primary had written when this was called. */
    public void awaitStandbyReplay(Duration timeout) {
        String target;
        try (Connection connection = connectPrimary();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select pg_current_wal_lsn()::text")) {
            rows.next();
            target = rows.getString(1);
        } catch (SQLException e) {
            throw LockstepException.unreachable("cannot read the primary's WAL position", e);
        }
        String failure = Polling.until(timeout, () -> {
            try (Connection connection = connectStandby();
                    PreparedStatement statement = connection.prepareStatement(
                            "select pg_wal_lsn_diff(pg_last_wal_replay_lsn(), ?::pg_lsn) >= 0")) {
                statement.setString(1, target);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() && rows.getBoolean(1);
                }
            }
        });
        if (failure != null) {
            throw new LockstepException(
                    ExitCode.INTERNAL_ERROR,
                    "the standby did not replay up to " + target + " within " + timeout.toSeconds() + "s: " + failure);
        }
    }

    /** The postmaster process ids of the running servers (for tests that check nothing is left). */
    public List<Long> serverPids() {
        List<Long> pids = new ArrayList<>();
        primary.pid().ifPresent(pids::add);
        standby.pid().ifPresent(pids::add);
        return pids;
    }

    /** Stops the sandbox ({@link #stop()}); what it could not stop it leaves running. Idempotent. */
    @Override
    public void close() {
        stop();
    }

    /**
     * Stops the standby and the primary, whatever postmaster runs on their data directories (the ones the
     * sandbox started, or ones a {@code pg_ctl restart} put there underneath it), and removes a temporary
     * directory once nothing runs on it. Idempotent.
     *
     * @return the servers left running, with their postmaster's pid: empty when both stopped
     */
    public synchronized List<Leftover> stop() {
        if (left != null) {
            return left;
        }
        watchdog.ifPresent(OrphanWatchdog::close);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
        CompletableFuture<Optional<ProcessHandle>> standbyStopped =
                CompletableFuture.supplyAsync(() -> standby.stop(progress));
        Optional<ProcessHandle> primaryLeft = primary.stop(progress);
        Optional<ProcessHandle> standbyLeft;
        try {
            standbyLeft = standbyStopped.join();
        } catch (CompletionException e) {
            standbyLeft = standby.stop(progress);
        }
        List<Leftover> leftovers = new ArrayList<>();
        standbyLeft.ifPresent(handle -> leftovers.add(new Leftover("standby", handle.pid(), standby.dataDir())));
        primaryLeft.ifPresent(handle -> leftovers.add(new Leftover("primary", handle.pid(), primary.dataDir())));
        left = List.copyOf(leftovers);
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
        if (temporary && left.isEmpty()) {
            FileTrees.deleteQuietly(baseDir);
        }
        return left;
    }

    @Override
    public String toString() {
        return "Sandbox[PostgreSQL " + binaries.major() + ", primary " + primaryUri() + ", standby " + standbyUri()
                + "]";
    }

    private static String uri(int port) {
        return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
    }

    private void reload(PgServer server) {
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl());
                Statement statement = connection.createStatement()) {
            statement.execute("select pg_reload_conf()");
        } catch (SQLException e) {
            throw new LockstepException(ExitCode.INTERNAL_ERROR, "cannot reload the configuration", e);
        }
    }

    private static String serverFormat(Connection connection, String format, String... arguments) throws SQLException {
        StringBuilder call = new StringBuilder("select format(?");
        for (int i = 0; i < arguments.length; i++) {
            call.append(", ?");
        }
        call.append(")");
        try (PreparedStatement statement = connection.prepareStatement(call.toString())) {
            statement.setString(1, format);
            for (int i = 0; i < arguments.length; i++) {
                statement.setString(i + 2, arguments[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    private static void requireRoleName(String role) {
        if (!ROLE_NAME.matcher(role).matches()) {
            throw new IllegalArgumentException("a sandbox role name is lower case letters, digits and _: " + role);
        }
    }
}
