package dev.lockstep.tui.console;

import dev.lockstep.engine.RunView;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.probe.WatchProbe;
import dev.lockstep.tui.StopSignals;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code lockstep watch} in the full-screen console: the probe's snapshot every interval, the database, locks
 * and replication panes, read-only. q, Ctrl-C, SIGINT, SIGTERM and SIGHUP end it.
 */
public final class WatchConsole {

    private WatchConsole() {}

    /** Watches until the operator quits; {@code first} is the snapshot already taken. */
    public static void run(WatchProbe probe, Snapshot first, Duration interval, Look look)
            throws IOException, InterruptedException {
        Snapshot[] latest = {first};
        Console.Source source = new Console.Source() {
            public RunView run() {
                return null;
            }

            public Snapshot snapshot() {
                synchronized (latest) {
                    return latest[0];
                }
            }
        };
        try (ConsoleTerminal terminal = ConsoleTerminal.open(look)) {
            Console console = new Console(
                    terminal.screen(), look, Clock.systemDefaultZone(), source, null, null, "", true, terminal);
            terminal.suspendOn(console);
            Thread sampler = new Thread(
                    () -> {
                        long next = System.nanoTime();
                        while (!Thread.currentThread().isInterrupted()) {
                            next += interval.toNanos();
                            try {
                                Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
                            } catch (InterruptedException e) {
                                return;
                            }
                            Snapshot taken = probe.take();
                            synchronized (latest) {
                                latest[0] = taken;
                            }
                            console.wake();
                        }
                    },
                    "lockstep-watch");
            sampler.setDaemon(true);
            try (StopSignals signals = StopSignals.install(reason -> console.leave())) {
                sampler.start();
                console.run();
            } finally {
                sampler.interrupt();
                sampler.join(Duration.ofSeconds(15).toMillis());
            }
        }
    }
}
