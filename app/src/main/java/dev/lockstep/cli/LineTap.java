package dev.lockstep.cli;

import dev.lockstep.tui.plain.LineFormat;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Passes everything through to the terminal and remembers the complete lines, so that the demo can wait for
 * what the run printed (a breach, a pause) instead of guessing with sleeps. A line mode event wrapped onto
 * continuation lines is remembered as one line.
 */
final class LineTap extends Writer {

    private final Writer target;
    private final StringBuilder partial = new StringBuilder();
    private final List<String> lines = new ArrayList<>();

    LineTap(Writer target) {
        this.target = target;
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        target.write(chars, offset, length);
        synchronized (lines) {
            for (int i = offset; i < offset + length; i++) {
                if (chars[i] == '\n') {
                    String line = partial.toString();
                    if (line.startsWith(LineFormat.CONTINUATION) && !lines.isEmpty()) {
                        // line mode wraps long events at the terminal's width: match them whole
                        lines.set(lines.size() - 1, lines.get(lines.size() - 1) + " " + line.strip());
                    } else {
                        lines.add(line);
                    }
                    partial.setLength(0);
                    lines.notifyAll();
                } else {
                    partial.append(chars[i]);
                }
            }
        }
    }

    @Override
    public void flush() throws IOException {
        target.flush();
    }

    @Override
    public void close() throws IOException {
        target.flush();
    }

    /** Whether a line printed so far matches. */
    boolean seen(Predicate<String> wanted) {
        synchronized (lines) {
            return lines.stream().anyMatch(wanted);
        }
    }

    /**
     * Waits until a line matches, {@code giveUp} holds or the timeout passes; true when the line came. The
     * wait wakes at least every half second to look at {@code giveUp}.
     */
    boolean await(Predicate<String> wanted, java.util.function.BooleanSupplier giveUp, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                if (lines.stream().anyMatch(wanted)) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || giveUp.getAsBoolean()) {
                    return false;
                }
                lines.wait(Math.max(1, Math.min(500, left / 1_000_000)));
            }
        }
    }
}
