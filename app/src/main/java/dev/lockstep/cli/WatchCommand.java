package dev.lockstep.cli;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.probe.ProbeOptions;
import dev.lockstep.probe.ServerSnapshot;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.probe.WatchProbe;
import dev.lockstep.tui.FullScreen;
import dev.lockstep.tui.console.Look;
import dev.lockstep.tui.console.WatchConsole;
import dev.lockstep.tui.plain.WatchLines;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lockstep watch}: the live probes without a runbook. */
@Command(
        name = "watch",
        header = "Show lock waits, replication lag and long transactions, live.",
        mixinStandardHelpOptions = true,
        description = {
            "Shows lock waits and the blocking tree, replication lag per standby, slots, progress and long "
                    + "transactions, refreshed every interval. Ctrl-C ends it.",
            "Exit 5 when the primary is unreachable at start; later outages are shown, not fatal."
        })
public final class WatchCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--once", description = "Take one snapshot, print it and exit.")
    boolean once;

    @Option(names = "--json", description = "JSON (docs/watch-json.md): one document per snapshot, one per line.")
    boolean json;

    @Option(
            names = "--plain",
            description = "Line-oriented text for logs and dumb terminals (the default without a tty or with"
                    + " TERM=dumb; on a terminal the full-screen console is the default).")
    boolean plain;

    @Option(
            names = "--interval",
            paramLabel = "DURATION",
            defaultValue = "1s",
            converter = IntervalConverter.class,
            description = "Time between snapshots, e.g. 500ms, 1s, 5s (200ms..1h; default ${DEFAULT-VALUE}).")
    Duration interval;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (json && plain) {
            throw LockstepException.usage("--json and --plain exclude each other");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConnectionSettings primary = connection.primary();
        List<ConnectionSettings> standbys = connection.standbys();
        WatchLines lines = new WatchLines(terminalWidth(), ZoneId.systemDefault());
        try (WatchProbe probe = WatchProbe.open(primary, standbys, ProbeOptions.defaults())) {
            Snapshot first = probe.take();
            if (!first.primary().reachable()) {
                throw new LockstepException(
                        ExitCode.DATABASE_UNREACHABLE, first.primary().unreachableReason());
            }
            if (!once && !json && FullScreen.available(plain, System.getenv())) {
                WatchConsole.run(probe, first, interval, Look.from(System.getenv()));
                return ExitCode.DONE.code();
            }
            warnAboutStandbys(first, err);
            print(first, lines, out);
            if (once) {
                return ExitCode.DONE.code();
            }
            return loop(probe, lines, out);
        }
    }

    private int loop(WatchProbe probe, WatchLines lines, PrintWriter out) {
        try (ShutdownSignal signal = ShutdownSignal.install()) {
            long next = System.nanoTime() + interval.toNanos();
            while (!signal.received()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    // short slices: Ctrl-C ends the watch within 100 ms, not after a long interval
                    Thread.sleep(Math.min(100, Math.max(1, wait / 1_000_000)));
                    continue;
                }
                next = Math.max(next + interval.toNanos(), System.nanoTime());
                print(probe.take(), lines, out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Ctrl-C or SIGTERM: the operator ended the watch; that is success
        return ExitCode.DONE.code();
    }

    private void print(Snapshot snapshot, WatchLines lines, PrintWriter out) {
        if (json) {
            out.println(WatchJson.render(snapshot));
        } else {
            lines.render(snapshot).forEach(out::println);
        }
        out.flush();
    }

    private static void warnAboutStandbys(Snapshot snapshot, PrintWriter err) {
        for (ServerSnapshot standby : snapshot.standbys()) {
            if (!standby.reachable()) {
                err.println("lockstep: warning: " + standby.label() + " unreachable: " + standby.unreachableReason()
                        + "; retrying in the background");
            } else if (standby.recovery() != null && !standby.recovery().inRecovery()) {
                err.println("lockstep: warning: --standby " + standby.target()
                        + " is not in recovery (is it a primary?); its lag is shown as unknown");
            }
        }
        err.flush();
    }

    /** COLUMNS when the shell exports it; 80 otherwise, the width the plain view is designed for. */
    private static int terminalWidth() {
        String columns = System.getenv("COLUMNS");
        if (columns != null && columns.matches("\\d{2,4}")) {
            return Integer.parseInt(columns);
        }
        return 80;
    }

    /** 500ms, 1s, 1.5s, 2m; bounded so that a typo cannot hammer the server or freeze the view. */
    static final class IntervalConverter implements ITypeConverter<Duration> {
        private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Matcher matcher = FORM.matcher(value.strip().toLowerCase(Locale.ROOT));
            if (!matcher.matches()) {
                throw new picocli.CommandLine.TypeConversionException(
                        "invalid --interval '" + value + "': expected a number with ms, s, m or h, e.g. 1s");
            }
            double amount = Double.parseDouble(matcher.group(1));
            double millis =
                    switch (matcher.group(2)) {
                        case "ms" -> amount;
                        case "s" -> amount * 1000;
                        case "m" -> amount * 60_000;
                        default -> amount * 3_600_000;
                    };
            Duration duration = Duration.ofMillis(Math.round(millis));
            if (duration.compareTo(Duration.ofMillis(200)) < 0 || duration.compareTo(Duration.ofHours(1)) > 0) {
                throw new picocli.CommandLine.TypeConversionException(
                        "invalid --interval '" + value + "': must be between 200ms and 1h");
            }
            return duration;
        }
    }
}
