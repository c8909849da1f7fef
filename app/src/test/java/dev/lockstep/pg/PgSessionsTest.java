package dev.lockstep.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real connections to a real PostgreSQL: the limits are applied and every failure reads as one line. */
class PgSessionsTest {
    private static final String SCRAM_PASSWORD = "Corr3ct-H0rse-Battery";
    private static final String WRONG_PASSWORD = "Wr0ng-Stapl3-Guess";

    @TempDir
    static Path dataParent;

    static EmbeddedPostgres postgres;
    static Path home;

    @BeforeAll
    static void startPostgres() throws IOException, SQLException {
        Path data = dataParent.resolve("data");
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .start();
        home = Files.createDirectories(dataParent.resolve("home"));
        try (Connection admin = postgres.getPostgresDatabase().getConnection();
                Statement statement = admin.createStatement()) {
            statement.execute("create role scram_user login password '" + SCRAM_PASSWORD + "'");
            statement.execute("create role hba_rejected login");
            statement.execute("create role watcher login in role pg_monitor");
            statement.execute("create role plain_user login");
            // the embedded cluster trusts everyone; these roles must prove who they are or be turned away
            Path hba = data.resolve("pg_hba.conf");
            Files.writeString(
                    hba,
                    "host all scram_user 127.0.0.1/32 scram-sha-256\n"
                            + "host all scram_user ::1/128 scram-sha-256\n"
                            + "host all hba_rejected 127.0.0.1/32 reject\n"
                            + "host all hba_rejected ::1/128 reject\n"
                            + Files.readString(hba));
            statement.execute("select pg_reload_conf()");
        }
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static ConnectionSettings settings(String conn) {
        return ConnectionSettings.parse(conn, new PgEnvironment(name -> null, home, "postgres", warning -> {}));
    }

    private static String local(String userInfo, String database) {
        return "postgresql://" + userInfo + "@localhost:" + postgres.getPort() + "/" + database;
    }

    private static String show(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }

    @Test
    void appliesTheMonitorLimitsToTheSession() throws SQLException {
        try (Connection connection =
                PgSessions.open(settings(local("postgres", "postgres")), SessionLimits.monitor())) {
            assertThat(show(connection, "show statement_timeout")).isEqualTo("2s");
            assertThat(show(connection, "show lock_timeout")).isEqualTo("100ms");
            assertThat(show(connection, "show idle_in_transaction_session_timeout"))
                    .isEqualTo("10s");
            assertThat(show(connection, "select application_name from pg_stat_activity where pid = pg_backend_pid()"))
                    .isEqualTo("lockstep-monitor");
            assertThat(connection.getAutoCommit()).isTrue();
        }
    }

    @Test
    void keepsTheUsersStartupOptionsButLetsLockstepsTimeoutsWin() throws SQLException {
        String conn = local("postgres", "postgres")
                + "?options=-c%20search_path%3Dcustom%20-c%20statement_timeout%3D999s&application_name=theirs";

        try (Connection connection = PgSessions.open(settings(conn), SessionLimits.control())) {
            assertThat(show(connection, "show search_path")).isEqualTo("custom");
            assertThat(show(connection, "show statement_timeout")).isEqualTo("30s");
            assertThat(show(connection, "show lock_timeout")).isEqualTo("2s");
            assertThat(show(connection, "show application_name")).isEqualTo("lockstep-control");
        }
    }

    @Test
    void logsInWithScramWhenThePasswordIsRight() throws SQLException {
        try (Connection connection =
                PgSessions.open(settings(local("scram_user:" + SCRAM_PASSWORD, "postgres")), SessionLimits.monitor())) {
            assertThat(show(connection, "select current_user")).isEqualTo("scram_user");
        }
    }

    @Test
    void reportsAWrongPasswordWithoutPrintingIt() {
        ConnectionSettings settings = settings(local("scram_user:" + WRONG_PASSWORD, "postgres"));

        LockstepException failure = failureOf(settings);

        assertThat(failure.getMessage())
                .isEqualTo("cannot connect to " + settings.displayUri()
                        + ": password authentication failed for user \"scram_user\"");
        assertNoSecretIn(failure, settings, WRONG_PASSWORD);
    }

    @Test
    void reportsAPgHbaRejection() {
        ConnectionSettings settings = settings(local("hba_rejected:" + WRONG_PASSWORD, "postgres"));

        LockstepException failure = failureOf(settings);

        assertThat(failure.getMessage())
                .startsWith("cannot connect to " + settings.displayUri() + ": pg_hba.conf does not allow this "
                        + "connection (pg_hba.conf rejects connection for host");
        assertNoSecretIn(failure, settings, WRONG_PASSWORD);
    }

    @Test
    void reportsAMissingDatabase() {
        ConnectionSettings settings = settings(local("postgres:" + WRONG_PASSWORD, "no_such_db"));

        LockstepException failure = failureOf(settings);

        assertThat(failure.getMessage()).endsWith(": database \"no_such_db\" does not exist");
        assertNoSecretIn(failure, settings, WRONG_PASSWORD);
    }

    @Test
    void reportsTlsRequiredByAServerWithoutIt() {
        ConnectionSettings settings = settings(local("postgres:" + WRONG_PASSWORD, "postgres") + "?sslmode=require");

        LockstepException failure = failureOf(settings);

        assertThat(failure.getMessage())
                .isEqualTo("cannot connect to " + settings.displayUri()
                        + ": TLS required (sslmode=require) but the server does not support it");
        assertNoSecretIn(failure, settings, WRONG_PASSWORD);
    }

    @Test
    @Timeout(30)
    void reportsAClosedPortAsRefused() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ConnectionSettings settings =
                settings("postgresql://postgres:" + WRONG_PASSWORD + "@127.0.0.1:" + closedPort + "/postgres");

        LockstepException failure = failureOf(settings);

        assertThat(failure.getMessage())
                .startsWith("cannot connect to postgresql://postgres@127.0.0.1:" + closedPort
                        + "/postgres?sslmode=prefer: connection refused");
        assertNoSecretIn(failure, settings, WRONG_PASSWORD);
    }

    @Test
    @Timeout(30)
    void reportsAServerThatNeverAnswersAsTimedOut() throws IOException {
        // a listening socket nobody accepts from: TCP connects, the startup handshake never gets a reply
        try (ServerSocket silent = new ServerSocket(0, 1)) {
            ConnectionSettings settings =
                    settings("postgresql://postgres:" + WRONG_PASSWORD + "@127.0.0.1:" + silent.getLocalPort() + "/db");
            SessionLimits quick = SessionLimits.monitor()
                    .withConnectTimeout(Duration.ofSeconds(1))
                    .withSocketTimeout(Duration.ofSeconds(1));

            LockstepException failure =
                    catchThrowableOfType(LockstepException.class, () -> PgSessions.open(settings, quick));

            assertThat(failure.exitCode()).isEqualTo(ExitCode.DATABASE_UNREACHABLE);
            assertThat(failure.getMessage()).endsWith(": timed out");
            assertNoSecretIn(failure, settings, WRONG_PASSWORD);
        }
    }

    @Test
    void reportsAnUnknownHost() {
        ConnectionSettings settings = settings("postgresql://postgres:" + WRONG_PASSWORD + "@no-such-host.invalid/db");

        LockstepException failure = failureOf(settings);

        assertThat(failure.getMessage()).endsWith(": host not found");
        assertNoSecretIn(failure, settings, WRONG_PASSWORD);
    }

    @Test
    void aPasswordFileReadableByTheGroupSuppliesNoPasswordAsPsqlRefusesIt() throws Exception {
        // given: ~/.pgpass holds scram_user's right password but the group may read it; the driver looks in
        // the same home directory (user.home) as Lockstep
        assumeThat(System.getenv("PGPASSFILE"))
                .as("the driver would read PGPASSFILE instead")
                .isNull();
        Path file = home.resolve(".pgpass");
        Files.writeString(file, "*:*:*:scram_user:" + SCRAM_PASSWORD + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        List<String> warnings = new ArrayList<>();
        PgEnvironment env = new PgEnvironment(name -> null, home, "postgres", warnings::add);
        String userHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            // when
            ConnectionSettings settings = ConnectionSettings.parse(local("scram_user", "postgres"), env);
            LockstepException failure = failureOf(settings);

            // then: ignored, as the warning says, by Lockstep and by the driver
            assertThat(warnings)
                    .containsExactly("password file \"" + file + "\" has group or world access; permissions should"
                            + " be u=rw (0600) or less; ignored");
            assertThat(settings.password()).isNull();
            assertThat(failure.getMessage())
                    .isEqualTo("cannot connect to " + settings.displayUri() + ": the server asks for a password"
                            + " and none was found (CONN, PGPASSWORD or the password file)");

            // and the same file made private logs in: it was the permissions, not the password
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            try (Connection connection = PgSessions.open(
                    ConnectionSettings.parse(local("scram_user", "postgres"), env), SessionLimits.monitor())) {
                assertThat(show(connection, "select current_user")).isEqualTo("scram_user");
            }
        } finally {
            System.setProperty("user.home", userHome);
            Files.delete(file);
        }
    }

    @Test
    void passfileNamesTheOnlyPasswordFileTheDriverMayUse() throws Exception {
        // given: a private ~/.pgpass with the right password, and a CONN whose passfile= names another file
        // that has no line for this server: libpq reads only the file passfile= names
        assumeThat(System.getenv("PGPASSFILE"))
                .as("the driver would read PGPASSFILE instead")
                .isNull();
        Path file = home.resolve(".pgpass");
        Files.writeString(file, "*:*:*:scram_user:" + SCRAM_PASSWORD + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Path other = Files.writeString(home.resolve("other.pgpass"), "elsewhere:5432:*:*:nope\n");
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-------"));
        String userHome = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            // when
            ConnectionSettings settings = settings(local("scram_user", "postgres") + "?passfile=" + other);
            LockstepException failure = failureOf(settings);

            // then
            assertThat(settings.password()).isNull();
            assertThat(failure.getMessage())
                    .endsWith(": the server asks for a password and none was found (CONN,"
                            + " PGPASSWORD or the password file)");
        } finally {
            System.setProperty("user.home", userHome);
            Files.delete(file);
            Files.delete(other);
        }
    }

    @Test
    void readsTheIdentityOfAPrimaryAsSuperuser() throws SQLException {
        try (Connection connection =
                PgSessions.open(settings(local("postgres", "postgres")), SessionLimits.monitor())) {
            ServerIdentity identity = ServerIdentity.read(connection);

            assertThat(identity.version()).startsWith("17.");
            assertThat(identity.versionNum()).isBetween(170000, 179999);
            assertThat(identity.systemIdentifier()).matches("[0-9]{10,}");
            assertThat(identity.database()).isEqualTo("postgres");
            assertThat(identity.user()).isEqualTo("postgres");
            assertThat(identity.inRecovery()).isFalse();
            assertThat(identity.seesAllActivity()).isTrue();
            assertThat(identity.hiddenBecause()).isEmpty();
        }
    }

    @Test
    void letsAPgMonitorMemberSeeAllActivity() throws SQLException {
        try (Connection connection = PgSessions.open(settings(local("watcher", "postgres")), SessionLimits.monitor())) {
            ServerIdentity identity = ServerIdentity.read(connection);

            assertThat(identity.seesAllActivity()).isTrue();
            assertThat(identity.user()).isEqualTo("watcher");
        }
    }

    @Test
    void saysWhatAPlainRoleCannotSee() throws SQLException {
        try (Connection connection =
                PgSessions.open(settings(local("plain_user", "postgres")), SessionLimits.monitor())) {
            ServerIdentity identity = ServerIdentity.read(connection);

            assertThat(identity.seesAllActivity()).isFalse();
            assertThat(identity.hiddenBecause())
                    .anySatisfy(hidden -> assertThat(hidden).contains("pg_stat_activity"));
        }
    }

    private static LockstepException failureOf(ConnectionSettings settings) {
        LockstepException failure =
                catchThrowableOfType(LockstepException.class, () -> PgSessions.open(settings, SessionLimits.monitor()));
        assertThat(failure).as("connecting should have failed").isNotNull();
        assertThat(failure.exitCode()).isEqualTo(ExitCode.DATABASE_UNREACHABLE);
        assertThat(failure.getMessage()).doesNotContain("\n");
        return failure;
    }

    /** The password appears nowhere an operator or a log could see it. */
    private static void assertNoSecretIn(LockstepException failure, ConnectionSettings settings, String password) {
        assertThat(settings.password().reveal()).isEqualTo(password);
        List<String> visible = new ArrayList<>();
        visible.add(settings.toString());
        visible.add(settings.displayUri());
        visible.add(String.valueOf(settings.password()));
        visible.add(settings.hosts().toString());
        visible.add(settings.options().toString());
        for (Throwable shown = failure; shown != null; shown = shown.getCause()) {
            visible.add(shown.toString());
        }
        for (Throwable suppressed : failure.getSuppressed()) {
            for (Throwable shown = suppressed; shown != null; shown = shown.getCause()) {
                visible.add(shown.toString());
            }
        }
        assertThat(visible).allSatisfy(text -> assertThat(text).doesNotContain(password));
    }
}
