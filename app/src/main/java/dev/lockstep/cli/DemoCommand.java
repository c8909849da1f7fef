package dev.lockstep.cli;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.sandbox.DemoData;
import dev.lockstep.sandbox.Sandbox;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Start a sandbox (primary + streaming standby), load the demo tables, and show how to connect"
                    + " and which runbook to try. Runs until Ctrl-C or SIGTERM, then removes everything."
        })
final class DemoCommand implements Callable<Integer> {
    static final String DEMO_RUNBOOK = "runbooks/enforcement-case-priority.yaml";

    @Option(names = "--plain", description = "Line mode instead of the full-screen console.")
    boolean plain;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (ShutdownSignal signal = ShutdownSignal.install();
                Sandbox sandbox = Sandbox.start(SandboxCommand.sandboxConfig(null, null, err))) {
            err.println("demo: loading the demo tables on the primary");
            err.flush();
            try (Connection connection = sandbox.connectPrimary()) {
                DemoData.load(connection);
            } catch (SQLException e) {
                throw new LockstepException(ExitCode.INTERNAL_ERROR, "cannot load the demo tables", e);
            }
            sandbox.awaitStandbyReplay(Duration.ofSeconds(120));
            out.print(instructions(sandbox));
            out.flush();
            if (!signal.received()) {
                signal.await();
            }
            err.println("demo: stopping the sandbox and removing its data");
            err.flush();
        }
        return 0;
    }

    private String instructions(Sandbox sandbox) {
        String primary = sandbox.primaryUri();
        String standby = sandbox.standbyUri();
        boolean canValidate = spec.root().subcommands().containsKey("validate");
        boolean canRun = spec.root().subcommands().containsKey("run");
        String lockstep = launcher();
        StringBuilder text = new StringBuilder();
        text.append(
                """

                Lockstep demo: a PostgreSQL %d primary and its streaming standby are running.

                  PRIMARY_URL=%s
                  STANDBY_URL=%s

                Connect with psql:
                  psql '%s'    # primary
                  psql '%s'    # standby: select pg_is_in_recovery();  -- true

                Demo tables on the primary, already replayed on the standby:
                  enforcement_case  %,d rows (60%% OPEN)
                  customer          %,d rows
                  orders            %,d rows (jsonb shipping_address)
                  app_error         empty; a runbook's stop criterion counts its recent rows

                """
                        .formatted(
                                sandbox.pgMajor(),
                                primary,
                                standby,
                                primary,
                                standby,
                                DemoData.ENFORCEMENT_CASES,
                                DemoData.CUSTOMERS,
                                DemoData.ORDERS));
        text.append("The runbook to try: ").append(DEMO_RUNBOOK).append('\n');
        String validate = "  " + lockstep + " validate " + DEMO_RUNBOOK + '\n';
        String run = "  " + lockstep + " run " + DEMO_RUNBOOK + " --db '" + primary + "' --standby '" + standby + "'\n";
        if (canValidate) {
            text.append(validate);
        } else {
            text.append("  (`lockstep validate` is not in this build yet; once it is:)\n")
                    .append(validate);
        }
        if (canRun) {
            text.append(run);
        } else {
            text.append("  (`lockstep run` is not in this build yet; once it is, this runs the runbook here:)\n")
                    .append(run);
        }
        text.append(plain ? "" : "  (the full-screen console is not in this build yet: this is the line-mode demo)\n");
        text.append("\nPress Ctrl-C to stop; the sandbox and its data are removed.\n");
        return text.toString();
    }

    /** dist/lockstep relative to the working directory when that is the checkout, else its full path. */
    private static String launcher() {
        Optional<Path> jar = runningJar();
        if (jar.isEmpty()) {
            return "dist/lockstep";
        }
        Path script = jar.get().resolveSibling("lockstep");
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.isRegularFile(script) && script.startsWith(cwd)) {
            return cwd.relativize(script).toString();
        }
        return Files.isRegularFile(script) ? script.toString() : "dist/lockstep";
    }

    private static Optional<Path> runningJar() {
        try {
            var codeSource = DemoCommand.class.getProtectionDomain().getCodeSource();
            if (codeSource == null) {
                return Optional.empty();
            }
            Path location = Path.of(codeSource.getLocation().toURI());
            return Files.isRegularFile(location) ? Optional.of(location) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
