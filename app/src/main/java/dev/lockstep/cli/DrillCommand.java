package dev.lockstep.cli;

import dev.lockstep.LockstepException;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.PgSessions;
import dev.lockstep.pg.SessionLimits;
import dev.lockstep.runbook.Durations;
import dev.lockstep.sandbox.Drill;
import dev.lockstep.sandbox.Drills;
import dev.lockstep.tui.plain.LineFormat;
import dev.lockstep.tui.plain.PlainConsole;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lockstep drill}: injects one real fault into a sandbox, holds it, and undoes it. */
@Command(
        name = "drill",
        header = "Inject a real fault into a sandbox for a recovery drill.",
        mixinStandardHelpOptions = true,
        description = {
            "Inject a real fault into a sandbox for a recovery drill, hold it for --for, then undo it (Ctrl-C undoes"
                    + " it at once). Its sessions are labelled application_name 'lockstep-drill'.",
            // one line each at 80 columns: picocli would continue a longer one at column 0
            "  pause-replay     pause WAL replay on the --standby: replication lag grows",
            "  lock-holder      hold SHARE on --table, with a write queued behind it",
            "  kill-connection  end Lockstep's control session (waits up to --for for one)",
            "  bad-data         insert --rows rows into app_error, like a failing application",
            "  slow-batch       every UPDATE on --table sleeps --delay first (a trigger)",
            "  stuck-liquibase-lock  a Liquibase lock left by a host with no session left",
            "Exit 0 when the fault was injected and undone; 2 when the target is not a sandbox or lacks what the"
                    + " scenario needs; 5 when it cannot be reached."
        })
final class DrillCommand implements Callable<Integer> {

    private static final DateTimeFormatter UNTIL = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final LineFormat LINES = new LineFormat(ZoneId.systemDefault());

    @Parameters(
            index = "0",
            paramLabel = "SCENARIO",
            description = "One of ${COMPLETION-CANDIDATES}.",
            completionCandidates = Scenarios.class)
    String scenario;

    @Mixin
    ConnectionOptions connection;

    @Option(
            names = "--for",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "How long the fault lasts (default: ${DEFAULT-VALUE}).")
    Duration hold;

    @Option(
            names = "--table",
            paramLabel = "NAME",
            defaultValue = "enforcement_case",
            description = "lock-holder, slow-batch: the table (default: ${DEFAULT-VALUE}).")
    String table;

    @Option(
            names = "--rows",
            paramLabel = "N",
            defaultValue = "60",
            description = "bad-data: how many app_error rows (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(
            names = "--delay",
            paramLabel = "DURATION",
            defaultValue = "3s",
            converter = DurationConverter.class,
            description = "slow-batch: the sleep before every UPDATE (default: ${DEFAULT-VALUE}).")
    Duration delay;

    @Option(
            names = "--any-database",
            description = "Drill a database that does not look like a Lockstep sandbox (a rehearsal copy).")
    boolean anyDatabase;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        ConnectionSettings primary = connection.primary();
        List<ConnectionSettings> standbys = connection.standbys();
        if (standbys.size() > 1) {
            throw LockstepException.usage("drill takes at most one --standby");
        }
        SessionLimits limits = SessionLimits.monitor()
                .withApplicationName(Drills.APPLICATION_NAME)
                .withStatementTimeout(Duration.ofSeconds(30))
                .withLockTimeout(Duration.ofSeconds(5))
                .withIdleInTransactionTimeout(hold.plusMinutes(1));
        Drills.Target target = new Drills.Target(
                () -> PgSessions.open(primary, limits),
                standbys.isEmpty() ? null : () -> PgSessions.open(standbys.get(0), limits),
                anyDatabase);
        Drills.Options options = Drills.Options.defaults()
                .withTable(table)
                .withRows(rows)
                .withDelay(delay)
                .withPatience(hold);
        try (ShutdownSignal signal = ShutdownSignal.install();
                Drill drill = Drills.of(scenario, target, options)) {
            boolean injected = false;
            try {
                say(out, drill.inject());
                injected = true;
                if (!scenario.equals("kill-connection")) {
                    say(
                            out,
                            "holding it for " + Durations.format(hold) + " (until "
                                    + LocalTime.now()
                                            .plus(hold)
                                            .truncatedTo(ChronoUnit.SECONDS)
                                            .format(UNTIL)
                                    + "); Ctrl-C undoes it now");
                    if (signal.await(hold)) {
                        say(out, signal.name() + " received: undoing now");
                    }
                }
            } finally {
                // a failed inject still closes what it opened, but there is nothing to report as undone
                String undone = drill.undo();
                if (injected) {
                    say(out, undone);
                }
            }
        }
        return 0;
    }

    /** In line mode's columns, wrapped under the text on a terminal, so that it reads beside a run's lines. */
    private static void say(PrintWriter out, String line) {
        int width = System.console() == null ? 0 : PlainConsole.DEFAULT_WIDTH;
        LINES.lines(Instant.now(), "DRILL", line, width).forEach(out::println);
        out.flush();
    }

    static final class Scenarios implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Drills.SCENARIOS.iterator();
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
