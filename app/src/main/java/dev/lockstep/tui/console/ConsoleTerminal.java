package dev.lockstep.tui.console;

import com.googlecode.lanterna.input.InputDecoder;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.ansi.UnixTerminal;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The process's terminal, taken for the console with the manners lanterna leaves to the application: the
 * charset passed explicitly (lanterna would use the JVM's, US-ASCII under {@code LC_ALL=C}); Ctrl-C trapped as a
 * key (lanterna's default calls System.exit) so that it stops the run at a safe point; a quarter second to
 * complete an escape sequence split by a slow link (an arrow key must not read as Esc, '[', 'A'); never a
 * Swing window. Closing gives everything back in every exit path: the normal screen, the cursor, the shell's
 * terminal modes, and a resize handler that no longer writes into what follows.
 */
public final class ConsoleTerminal implements Console.TerminalControl, AutoCloseable {

    /** lanterna's own terminal, with the mode switches it keeps protected made reachable for suspend. */
    private static final class Tty extends UnixTerminal {
        Tty(Charset charset) throws IOException {
            super(System.in, System.out, charset, CtrlCBehaviour.TRAP);
            waitForSplitSequences(getInputDecoder());
        }

        void shellModes() throws IOException {
            restoreTerminalSettings();
        }

        void consoleModes() throws IOException {
            canonicalMode(false);
            keyEchoEnabled(false);
            keyStrokeSignalsEnabled(false);
        }
    }

    /**
     * How long the decoder waits for the rest of an escape sequence, in lanterna's units of a quarter second:
     * an arrow key split by a slow link (ESC now, {@code [A} 60 ms later) still decodes as one key, not as Esc
     * and two letters. lanterna's default is not to wait at all.
     */
    static final int ESCAPE_WAIT_UNITS = 1;

    /** Gives a decoder the console's patience with split escape sequences; returns it. */
    static InputDecoder waitForSplitSequences(InputDecoder decoder) {
        decoder.setTimeoutUnits(ESCAPE_WAIT_UNITS);
        return decoder;
    }

    private final Tty tty;
    private final TerminalScreen screen;
    private final Map<Signal, SignalHandler> previous = new java.util.LinkedHashMap<>();

    private ConsoleTerminal(Tty tty, TerminalScreen screen) {
        this.tty = tty;
        this.screen = screen;
    }

    /** Takes the terminal and shows an empty screen; the console draws the first frame. */
    public static ConsoleTerminal open(Look look) throws IOException {
        Tty tty = new Tty(look.charset());
        TerminalScreen screen;
        try {
            screen = new TerminalScreen(tty);
            screen.startScreen();
            screen.setCursorPosition(null);
        } catch (IOException | RuntimeException e) {
            tty.close();
            throw e;
        }
        return new ConsoleTerminal(tty, screen);
    }

    public Screen screen() {
        return screen;
    }

    /**
     * Ctrl-Z: the shell gets its screen and modes back while the process is stopped, and {@code fg} gives the
     * console its own again (the frame is then drawn whole). Nothing runs while stopped: a batch in flight holds
     * its locks until the server's idle-in-transaction timeout ends the session.
     */
    @Override
    public void suspend() throws IOException {
        screen.stopScreen(false);
        tty.shellModes();
        try {
            new ProcessBuilder(
                            "kill",
                            "-STOP",
                            Long.toString(ProcessHandle.current().pid()))
                    .inheritIO()
                    .start()
                    .waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tty.consoleModes();
        screen.startScreen();
    }

    /** Routes SIGTSTP (Ctrl-Z) to the console, which suspends between frames. */
    public void suspendOn(Console console) {
        handle("TSTP", signal -> console.suspend());
        handle("CONT", signal -> console.redrawAll());
    }

    private void handle(String name, SignalHandler handler) {
        try {
            Signal signal = new Signal(name);
            previous.put(signal, Signal.handle(signal, handler));
        } catch (IllegalArgumentException unavailable) {
            // not on this platform: Ctrl-Z then suspends without giving the screen back
        }
    }

    @Override
    public void close() throws IOException {
        try {
            screen.stopScreen();
        } finally {
            tty.close();
            previous.forEach(Signal::handle);
            // lanterna's resize handler stays installed and would query the size into what is printed next
            Signal.handle(new Signal("WINCH"), SignalHandler.SIG_DFL);
        }
    }
}
