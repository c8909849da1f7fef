package dev.lockstep.tui.plain;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.Signals;

/**
 * Where line mode's lines go, and where its questions are asked. Without a terminal (a log file, CI, a pipe)
 * lines go to the writer unwrapped and nobody can be asked. With a terminal, lines wrap at its width (80 when
 * it does not say), and questions are read with jline: the operator can edit the answer, Tab completes a
 * choice, and lines printed while a question is open appear above it instead of through the answer being
 * typed (on a dumb terminal, which cannot redraw, they wait until the answer is in).
 */
public final class PlainConsole implements AutoCloseable {

    public static final int DEFAULT_WIDTH = 80;

    private static final String RESIZE = "WINCH";
    /** The signals jline's line reader handles while a question is open. */
    private static final List<Terminal.Signal> READER_SIGNALS =
            List.of(Terminal.Signal.INT, Terminal.Signal.WINCH, Terminal.Signal.CONT);

    private final PrintWriter out;
    private final Terminal terminal;
    private final LineReader reader;
    private final boolean holdWhileAsking;
    private final List<String> held = new ArrayList<>();
    private volatile List<String> choices = List.of();
    private boolean asking;
    /** The SIGWINCH handler before ours, when we passed resizes on; put back on close. */
    private Object resized;

    private PlainConsole(PrintWriter out, Terminal terminal) {
        this.out = out;
        this.terminal = terminal;
        if (terminal == null) {
            this.reader = null;
            this.holdWhileAsking = false;
        } else {
            this.reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("lockstep")
                    .completer((lineReader, line, candidates) ->
                            choices.forEach(choice -> candidates.add(new Candidate(choice))))
                    // a reason may contain '!' without it being read as a history reference
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .build();
            this.holdWhileAsking = Terminal.TYPE_DUMB.equals(terminal.getType())
                    || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
        }
    }

    /**
     * On the process's terminal when standard input and output are one, else on {@code out} alone.
     *
     * <p>The process's signals stay the run's: Ctrl-C outside a question is the run's SIGINT, a stop at the next
     * safe point. Only a resize (SIGWINCH) is passed on to the terminal, so that an open question redraws.
     */
    public static PlainConsole open(PrintWriter out) {
        if (System.console() == null) {
            return withoutTerminal(out);
        }
        Terminal terminal;
        try {
            terminal = TerminalBuilder.builder()
                    .system(true)
                    .nativeSignals(false)
                    .dumb(true)
                    .build();
        } catch (IOException | RuntimeException e) {
            // no usable terminal after all: the run goes on unattended rather than not at all
            return withoutTerminal(out);
        }
        PlainConsole console = onTerminal(terminal, out);
        console.resized = Signals.register(RESIZE, () -> terminal.raise(Terminal.Signal.WINCH));
        return console;
    }

    /** Lines to {@code out}, unwrapped; nobody to ask. */
    public static PlainConsole withoutTerminal(PrintWriter out) {
        return new PlainConsole(out, null);
    }

    /** Questions on {@code terminal}; lines to {@code out}, which shows on that terminal. */
    public static PlainConsole onTerminal(Terminal terminal, PrintWriter out) {
        return new PlainConsole(out, terminal);
    }

    /** Whether someone at a terminal can be asked. */
    public boolean canAsk() {
        return reader != null;
    }

    /** The width to wrap at: the terminal's, 80 when it does not say, 0 (never wrap) without a terminal. */
    public int width() {
        if (terminal == null) {
            return 0;
        }
        int width = terminal.getWidth();
        return width > 0 ? width : DEFAULT_WIDTH;
    }

    public synchronized void print(List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        if (asking && holdWhileAsking) {
            held.addAll(lines);
        } else if (asking) {
            lines.forEach(reader::printAbove);
        } else {
            lines.forEach(out::println);
            out.flush();
        }
    }

    /**
     * Reads one answer, with {@code choices} offered on Tab.
     *
     * @throws UserInterruptException Ctrl-C, or {@link #interruptQuestion}
     * @throws EndOfFileException Ctrl-D on an empty line, or the terminal went away
     */
    public String ask(String prompt, List<String> choices) {
        if (reader == null) {
            throw new IllegalStateException("no terminal to ask on");
        }
        synchronized (this) {
            out.flush();
            this.choices = List.copyOf(choices);
            asking = true;
        }
        // While it reads, jline takes SIGINT, SIGWINCH and SIGCONT from the process and, when done, hands them to
        // the JVM's defaults: the next Ctrl-C would kill the run instead of stopping it at a safe point. So the
        // handlers in place before the question are put back after it.
        Map<String, Object> before = new LinkedHashMap<>();
        for (Terminal.Signal signal : READER_SIGNALS) {
            before.put(signal.name(), Signals.register(signal.name(), () -> terminal.raise(signal)));
        }
        try {
            return reader.readLine(prompt);
        } finally {
            before.forEach(Signals::unregister);
            List<String> release;
            synchronized (this) {
                asking = false;
                release = new ArrayList<>(held);
                held.clear();
            }
            print(release);
        }
    }

    /**
     * Ends an open question as Ctrl-C at the prompt would: for the run's handlers of SIGHUP (the terminal went
     * away) and SIGTERM, which stop the run at a safe point that the question is. Does nothing when no
     * question is open.
     */
    public void interruptQuestion() {
        if (terminal != null) {
            terminal.raise(Terminal.Signal.INT);
        }
    }

    @Override
    public void close() {
        if (resized != null) {
            Signals.unregister(RESIZE, resized);
        }
        if (terminal != null) {
            try {
                terminal.close();
            } catch (IOException e) {
                // the terminal is gone already; there is nothing left to restore on it
            }
        }
    }
}
