package dev.lockstep.cli;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.sandbox.DemoData;
import dev.lockstep.sandbox.PgBinariesLocator;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxConfig;
import dev.lockstep.tui.plain.TerminalText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "sandbox",
        header = "Run a PostgreSQL primary and streaming standby on this machine.",
        mixinStandardHelpOptions = true,
        description = {
            "Run an embedded PostgreSQL primary and a physical streaming standby of it on 127.0.0.1.",
            "Prints PRIMARY_URL=... and STANDBY_URL=... on stdout once both accept connections, then runs"
                    + " until SIGINT or SIGTERM and stops both."
        })
final class SandboxCommand implements Callable<Integer> {

    @Option(
            names = "--dir",
            paramLabel = "D",
            description = "Keep the data in D (an empty or new directory, or a sandbox made there before, which"
                    + " is started again). Default: a temporary directory removed at exit.")
    Path dir;

    @Option(
            names = "--pg",
            paramLabel = "VERSION",
            description = "PostgreSQL major version, 13 to 18 (default: the bundled one)."
                    + " Other majors need their binaries jar: the error says how to fetch it.")
    Integer pgMajor;

    @Option(
            names = "--demo-data",
            description = "Load the demo tables the example runbooks use (enforcement_case, customer, orders,"
                    + " app_error) before printing the URLs; a sandbox in --dir that has them keeps them.")
    boolean demoData;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SandboxConfig config = sandboxConfig(dir, pgMajor, err);
        List<Sandbox.Leftover> left;
        try (ShutdownSignal signal = ShutdownSignal.install();
                Sandbox sandbox = Sandbox.start(config)) {
            if (demoData) {
                loadDemoData(sandbox, err);
            }
            out.println("PRIMARY_URL=" + sandbox.primaryUri());
            out.println("STANDBY_URL=" + sandbox.standbyUri());
            out.flush();
            TerminalText.println(
                    err,
                    "sandbox: PostgreSQL " + sandbox.pgMajor() + " primary and streaming standby are up, data in "
                            + sandbox.baseDir() + (dir == null ? " (removed at exit)" : "")
                            + "; Ctrl-C or SIGTERM stops them");
            err.flush();
            String received = signal.await();
            err.println("sandbox: " + received + ": stopping the standby and the primary");
            err.flush();
            left = sandbox.stop();
        }
        if (left.isEmpty()) {
            err.println("sandbox: stopped");
            err.flush();
            return 0;
        }
        // never "stopped" while a server of the sandbox still runs: say what is left and how to stop it
        for (Sandbox.Leftover server : left) {
            err.println("sandbox: NOT stopped: the " + server.server() + " still runs (postmaster pid " + server.pid()
                    + " on " + server.dataDir() + "); stop it with: kill -INT " + server.pid());
        }
        err.flush();
        return ExitCode.INTERNAL_ERROR.code();
    }

    /** The demo tables on the primary, replayed by the standby before anyone is told the URLs. */
    private static void loadDemoData(Sandbox sandbox, PrintWriter err) {
        try (Connection primary = sandbox.connectPrimary()) {
            if (DemoData.isLoaded(primary)) {
                TerminalText.println(err, "sandbox: the demo tables are loaded already");
                return;
            }
            TerminalText.println(err, "sandbox: loading the demo tables and waiting for the standby to replay them");
            err.flush();
            DemoData.load(primary);
        } catch (SQLException e) {
            throw new LockstepException(ExitCode.INTERNAL_ERROR, "cannot load the demo tables", e);
        }
        sandbox.awaitStandbyReplay(Duration.ofSeconds(120));
    }

    /** Shared with the demo: checks the major before anything starts, reports progress on stderr. */
    static SandboxConfig sandboxConfig(Path dir, Integer pgMajor, PrintWriter err) {
        SandboxConfig config = SandboxConfig.defaults().withProgress(line -> {
            TerminalText.println(err, "sandbox: " + line);
            err.flush();
        });
        if (pgMajor != null) {
            if (!PgBinariesLocator.supportedMajors().contains(pgMajor)) {
                throw LockstepException.usage("--pg " + pgMajor + ": PostgreSQL " + pgMajor
                        + " is not supported; pick one of " + PgBinariesLocator.supportedMajors());
            }
            config = config.withPgMajor(pgMajor);
        }
        return dir == null ? config : config.withDir(dir);
    }
}
