package dev.lockstep.tui.plain;

import dev.lockstep.engine.EngineListener;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.RunResult;
import dev.lockstep.engine.RunSession;
import dev.lockstep.tui.StopSignals;
import java.io.PrintWriter;
import java.time.Clock;

/**
 * A run in line mode: one line per event on the terminal or the log, questions asked at a prompt when a
 * terminal is there (else the run is unattended), SIGINT, SIGHUP and SIGTERM stopping it at a safe point.
 */
public final class LineMode {

    private LineMode() {}

    /**
     * Runs the prepared session to its end; returns the exit code. The end line says how it ended; the caller
     * prints the {@link dev.lockstep.tui.ClosingLines} where it wants them.
     *
     * @param user who answers questions ({@code user@host}), recorded with each answer
     * @param everyBatch print a line for every committed batch
     * @param also another listener that hears every event after the lines are printed (the demo's story)
     * @param unattended who answers when nobody can be asked at a prompt (no terminal): usually
     *     {@link Operator#UNATTENDED}, which answers nothing
     */
    public static int run(
            RunSession session,
            PrintWriter out,
            String user,
            boolean everyBatch,
            EngineListener also,
            Operator unattended)
            throws InterruptedException {
        Clock clock = Clock.systemDefaultZone();
        try (PlainConsole console = PlainConsole.open(out)) {
            PlainRenderer renderer = new PlainRenderer(console, new RunLines(clock.getZone(), everyBatch));
            Operator operator =
                    console.canAsk() ? new LineOperator(console, clock, user, session::interrupt) : unattended;
            RunResult result;
            // SIGINT, SIGHUP and SIGTERM stop the run at a safe point. An open question is one, so a signal ends
            // it too (while a question is open jline takes SIGINT itself: Ctrl-C at the prompt ends it the same way)
            try (StopSignals signals = StopSignals.install(session::interrupt)) {
                session.start(operator, event -> {
                    renderer.on(event);
                    also.on(event);
                });
                result = session.awaitEnd();
            }
            return result.exitCode().code();
        }
    }
}
