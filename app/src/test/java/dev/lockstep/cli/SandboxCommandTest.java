package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.ExitCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lockstep sandbox} as a real process, stopped the way people stop them. */
class SandboxCommandTest {

    @Test
    void sandboxPrintsBothUrlsServesThemAndLeavesNoPostgresAfterSigterm(@TempDir Path dir) throws Exception {
        Path sandboxDir = dir.resolve("sandbox");
        Process lockstep = startLockstep("sandbox", "--dir", sandboxDir.toString());
        try {
            // when both URLs are printed
            Map<String, String> urls = readUntil(lockstep, List.of("PRIMARY_URL", "STANDBY_URL"));

            // then both answer, and the standby is a standby
            assertThat(urls.get("PRIMARY_URL")).startsWith("postgresql://postgres@127.0.0.1:");
            try (Connection primary = DriverManager.getConnection(jdbcUrl(urls.get("PRIMARY_URL")));
                    Connection standby = DriverManager.getConnection(jdbcUrl(urls.get("STANDBY_URL")))) {
                assertThat(single(primary, "select pg_is_in_recovery()")).isEqualTo("f");
                assertThat(single(standby, "select pg_is_in_recovery()")).isEqualTo("t");
            }
            List<Long> postmasters =
                    List.of(postmasterPid(sandboxDir.resolve("primary")), postmasterPid(sandboxDir.resolve("standby")));
            assertThat(postmasters).allMatch(pid -> ProcessHandle.of(pid).isPresent());

            // when SIGTERM arrives
            lockstep.destroy();

            // then it exits 0 and no postgres of it is left; the data stays in --dir
            assertThat(lockstep.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(lockstep.exitValue()).isZero();
            assertThat(postmasters)
                    .noneMatch(pid ->
                            ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertThat(sandboxDir.resolve("primary/postmaster.pid")).doesNotExist();
            assertThat(sandboxDir.resolve("standby/PG_VERSION")).exists();
        } finally {
            lockstep.destroyForcibly();
        }
    }

    @Test
    void aSandboxKilledWithSigkillLeavesNoPostgresAndNoTemporaryDirectory(@TempDir Path dir) throws Exception {
        // given: a temporary sandbox (no --dir), its progress lines in a file
        Path progress = dir.resolve("sandbox.err");
        Process lockstep = startLockstep(ProcessBuilder.Redirect.to(progress.toFile()), "sandbox");
        try {
            readUntil(lockstep, List.of("PRIMARY_URL", "STANDBY_URL"));
            java.util.regex.Matcher data = java.util.regex.Pattern.compile("data in (\\S+) \\(removed at exit\\)")
                    .matcher(awaitText(progress, "removed at exit"));
            assertThat(data.find()).as(Files.readString(progress)).isTrue();
            Path sandboxDir = Path.of(data.group(1));
            List<Long> postmasters =
                    List.of(postmasterPid(sandboxDir.resolve("primary")), postmasterPid(sandboxDir.resolve("standby")));

            // when the process dies without running any shutdown hook
            lockstep.destroyForcibly();
            assertThat(lockstep.waitFor(30, TimeUnit.SECONDS)).isTrue();

            // then its watchdog stops both servers and removes the temporary directory
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            while ((postmasters.stream().anyMatch(SandboxCommandTest::alive) || Files.exists(sandboxDir))
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(postmasters).noneMatch(SandboxCommandTest::alive);
            assertThat(sandboxDir).doesNotExist();
        } finally {
            lockstep.destroyForcibly();
        }
    }

    @Test
    void sigtermStopsServersThatWereRestartedUnderneathTheSandbox(@TempDir Path dir) throws Exception {
        // given: a sandbox whose two servers were restarted with pg_ctl, as in a drill: the postmasters it
        // started are gone, and the ones running now are not its children
        Path sandboxDir = dir.resolve("sandbox");
        Path progress = dir.resolve("sandbox.err");
        Process lockstep =
                startLockstep(ProcessBuilder.Redirect.to(progress.toFile()), "sandbox", "--dir", sandboxDir.toString());
        List<Path> dataDirs = List.of(sandboxDir.resolve("primary"), sandboxDir.resolve("standby"));
        try {
            readUntil(lockstep, List.of("PRIMARY_URL", "STANDBY_URL"));
            List<Long> started = new ArrayList<>();
            for (Path dataDir : dataDirs) {
                started.add(postmasterPid(dataDir));
            }
            for (Path dataDir : dataDirs) {
                pgCtl(dataDir, "restart", "-m", "fast");
            }
            List<Long> restarted = new ArrayList<>();
            for (Path dataDir : dataDirs) {
                restarted.add(postmasterPid(dataDir));
            }
            assertThat(restarted).doesNotContainAnyElementsOf(started).allMatch(SandboxCommandTest::alive);

            // when
            lockstep.destroy();

            // then: it stops what runs on its data directories, says so, and only then says stopped
            assertThat(lockstep.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String said = Files.readString(progress);
            assertThat(lockstep.exitValue()).as(said).isZero();
            assertThat(restarted).noneMatch(SandboxCommandTest::alive);
            assertThat(said)
                    .contains("sandbox: the primary runs as postmaster pid " + restarted.get(0)
                            + ", which the sandbox did not start (restarted underneath it): stopping it too")
                    .contains("sandbox: the standby runs as postmaster pid " + restarted.get(1))
                    .endsWith("sandbox: stopped\n");
        } finally {
            lockstep.destroyForcibly();
            lockstep.waitFor(30, TimeUnit.SECONDS);
            // whatever happened above, no server of this test outlives it
            for (Path dataDir : dataDirs) {
                if (Files.exists(dataDir.resolve("postmaster.pid")) && alive(postmasterPid(dataDir))) {
                    pgCtl(dataDir, "stop", "-m", "immediate");
                }
            }
        }
    }

    /**
     * {@code pg_ctl} of the sandbox's own binaries (beside the postgres its postmaster runs), as a person
     * would run it; as root in a user namespace, as the sandbox runs its servers.
     */
    private static void pgCtl(Path dataDir, String... action) throws Exception {
        Path postgres = Path.of(ProcessHandle.of(postmasterPid(dataDir))
                .flatMap(handle -> handle.info().command())
                .orElseThrow());
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(
                postgres.resolveSibling("pg_ctl").toString(),
                "-D",
                dataDir.toString(),
                "-l",
                dataDir.resolveSibling(dataDir.getFileName() + "-pg_ctl.log").toString(),
                "-w"));
        command.addAll(List.of(action));
        Process pgCtl = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(pgCtl.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(pgCtl.exitValue()).as("pg_ctl " + String.join(" ", action)).isZero();
    }

    @Test
    void demoDataLoadsTheExampleRunbooksTablesBeforeTheUrlsArePrinted() throws Exception {
        // a temporary sandbox: its watchdog and close remove it
        Process lockstep = startLockstep("sandbox", "--demo-data");
        try {
            Map<String, String> urls = readUntil(lockstep, List.of("PRIMARY_URL", "STANDBY_URL"));

            // the URLs come once the standby has replayed the load: both have every table and row at once
            for (String server : List.of("PRIMARY_URL", "STANDBY_URL")) {
                try (Connection connection = DriverManager.getConnection(jdbcUrl(urls.get(server)))) {
                    assertThat(single(connection, "select count(*) from enforcement_case"))
                            .as(server)
                            .isEqualTo(Integer.toString(dev.lockstep.sandbox.DemoData.ENFORCEMENT_CASES));
                    assertThat(single(connection, "select count(*) from app_error"))
                            .as(server)
                            .isEqualTo("0");
                }
            }
            lockstep.destroy();
            assertThat(lockstep.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(lockstep.exitValue()).isZero();
        } finally {
            lockstep.destroyForcibly();
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static String awaitText(Path file, String text) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String content = Files.exists(file) ? Files.readString(file) : "";
            if (content.contains(text)) {
                return content;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' in " + file);
    }

    @Test
    void unsupportedMajorIsAUsageErrorOnOneLine() {
        CliRun run = CliRun.of("sandbox", "--pg", "12");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err().strip())
                .isEqualTo("lockstep: --pg 12: PostgreSQL 12 is not supported; pick one of [13, 14, 15, 16, 17, 18]");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void directoryThatIsNotASandboxIsRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "mine");

        CliRun run = CliRun.of("sandbox", "--dir", dir.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err()).contains("neither empty nor a lockstep sandbox (it holds notes.txt)");
        assertThat(run.err().lines()).hasSize(1);
        assertThat(dir.resolve("notes.txt")).hasContent("mine");
    }

    private static Process startLockstep(String... args) throws IOException {
        return startLockstep(ProcessBuilder.Redirect.INHERIT, args);
    }

    private static Process startLockstep(ProcessBuilder.Redirect stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.lockstep.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr);
        builder.environment().put("LOCKSTEP_PG_BINARIES", System.getProperty("lockstep.pg.binaries"));
        return builder.start();
    }

    private static Map<String, String> readUntil(Process process, List<String> keys) throws Exception {
        return readUntil(process, keys, new StringBuilder());
    }

    /** Reads stdout until a line starts with each key (KEY=value lines are returned), with a deadline. */
    private static Map<String, String> readUntil(Process process, List<String> keys, StringBuilder printed)
            throws Exception {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Map<String, String>> found = CompletableFuture.supplyAsync(() -> {
            Map<String, String> values = new LinkedHashMap<>();
            try {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    printed.append(line).append('\n');
                    String trimmed = line.strip();
                    for (String key : keys) {
                        if (trimmed.startsWith(key)) {
                            values.put(key, trimmed.startsWith(key + "=") ? trimmed.substring(key.length() + 1) : "");
                        }
                    }
                    if (values.keySet().containsAll(keys)) {
                        return values;
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new AssertionError("output ended before " + keys + ": " + printed);
        });
        return found.get(180, TimeUnit.SECONDS);
    }

    private static String jdbcUrl(String postgresUri) {
        URI uri = URI.create(postgresUri);
        return "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath() + "?user="
                + uri.getUserInfo();
    }

    private static String single(Connection connection, String query) throws SQLException {
        try (ResultSet rows = connection.createStatement().executeQuery(query)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static long postmasterPid(Path dataDir) throws IOException {
        return Long.parseLong(
                Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
    }
}
