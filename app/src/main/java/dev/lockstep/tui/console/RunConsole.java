package dev.lockstep.tui.console;

import dev.lockstep.engine.EngineListener;
import dev.lockstep.engine.RunResult;
import dev.lockstep.engine.RunSession;
import dev.lockstep.engine.RunView;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.tui.StopSignals;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A run in the full-screen console: the console takes the terminal, the run starts with the console as its
 * operator, and when the operator quits (or the run ends, for the demo) the terminal is given back before the
 * caller prints the closing lines on the normal screen. SIGINT, SIGHUP and SIGTERM stop the run at a safe
 * point, as in line mode.
 */
public final class RunConsole {

    private RunConsole() {}

    /**
     * Runs the prepared session to its end; returns the exit code.
     *
     * @param user who answers and commands ({@code user@host}), recorded with each decision
     * @param exitWhenEnded leave the console by itself when the run ends (else it waits for q)
     * @param also another listener that hears every event (the demo's story)
     */
    public static int run(RunSession session, Look look, String user, boolean exitWhenEnded, EngineListener also)
            throws IOException, InterruptedException {
        ConsoleOperator operator = new ConsoleOperator();
        Console.Source source = new Console.Source() {
            public RunView run() {
                return session.view();
            }

            public Snapshot snapshot() {
                return session.view().snapshot();
            }

            public boolean over() {
                return session.ended();
            }
        };
        // SIGINT, SIGHUP (the SSH session dropped) or SIGTERM: the run stops at a safe point, and the console
        // leaves once it has ended instead of waiting for a q that a terminal that is gone cannot send
        AtomicReference<Console> shown = new AtomicReference<>();
        try (StopSignals signals = StopSignals.install(reason -> {
            session.interrupt(reason);
            Console console = shown.get();
            if (console != null) {
                console.exitWhenEnded();
                console.wake();
            }
        })) {
            try (ConsoleTerminal terminal = ConsoleTerminal.open(look)) {
                Console console = new Console(
                        terminal.screen(),
                        look,
                        Clock.systemDefaultZone(),
                        source,
                        session,
                        operator,
                        user,
                        false,
                        terminal);
                if (exitWhenEnded) {
                    console.exitWhenEnded();
                }
                shown.set(console);
                terminal.suspendOn(console);
                session.start(operator, event -> {
                    also.on(event);
                    console.wake();
                });
                try {
                    console.run();
                } catch (IOException | RuntimeException e) {
                    // the screen failed (a terminal gone, a bug): the run must not go on unwatched
                    session.interrupt("the console failed (" + e + "): stopped at a safe point");
                    throw e;
                }
            } finally {
                if (!session.ended()) {
                    // the operator left before the run ended: it stops at a safe point, and nobody answers now
                    session.interrupt("the console was closed: stopped at a safe point");
                    operator.withdraw();
                }
            }
            RunResult result = session.awaitEnd();
            return result.exitCode().code();
        }
    }
}
