package dev.lockstep.tui.plain;

import java.util.ArrayList;
import java.util.List;

/**
 * Messages, hints and errors as a terminal shows them: wrapped at word boundaries, never in the middle of a
 * word, with continuation lines indented. A quoted command ({@code 'lockstep keygen --out FILE'}) stays on one
 * line when it fits one, so that it can be copied whole; a word longer than a line (a path, a URL) stays whole
 * on a line of its own. Without a terminal (a pipe, a log, CI) a message stays on one line, which is what grep
 * and the tests read.
 */
public final class TerminalText {

    private TerminalText() {}

    /** The width to wrap messages at: the terminal's ({@code COLUMNS}, else 80), or 0 without a terminal. */
    public static int width() {
        if (System.console() == null) {
            return 0;
        }
        String columns = System.getenv("COLUMNS");
        if (columns != null && columns.matches("\\d{2,4}")) {
            return Integer.parseInt(columns);
        }
        return PlainConsole.DEFAULT_WIDTH;
    }

    /** {@code text} in lines of at most {@code width} columns (0: one line per paragraph, unwrapped). */
    public static List<String> wrap(String text, int width, String continuation) {
        List<String> lines = new ArrayList<>();
        for (String paragraph : text.split("\n", -1)) {
            if (width <= 0) {
                lines.add(paragraph);
            } else {
                lines.addAll(wrapParagraph(paragraph, width, continuation));
            }
        }
        return lines;
    }

    /** Writes {@code text} wrapped at this terminal's width, continuation lines indented by two spaces. */
    public static void println(java.io.PrintWriter out, String text) {
        wrap(text, width(), "  ").forEach(out::println);
    }

    private static List<String> wrapParagraph(String paragraph, int width, String continuation) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        boolean empty = true;
        for (String unit : units(paragraph, width - continuation.length())) {
            if (!empty && line.length() + 1 + unit.length() > width) {
                lines.add(line.toString());
                line = new StringBuilder(continuation);
                empty = true;
            }
            if (!empty) {
                line.append(' ');
            }
            line.append(unit);
            empty = false;
        }
        lines.add(line.toString());
        return lines;
    }

    /** The words, with a quoted span that fits {@code room} joined back into one unit. */
    private static List<String> units(String paragraph, int room) {
        List<String> words = new ArrayList<>();
        for (String word : paragraph.split(" ")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        List<String> units = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            int end = i;
            if (word.startsWith("'") && !closesQuote(word.substring(1))) {
                while (end + 1 < words.size() && !closesQuote(words.get(end))) {
                    end++;
                }
            }
            String span = String.join(" ", words.subList(i, end + 1));
            if (end > i && closesQuote(words.get(end)) && span.length() <= room) {
                units.add(span);
                i = end;
            } else {
                units.add(word);
            }
        }
        return units;
    }

    /** Whether a word ends a quoted span: {@code FILE'}, {@code FILE',} or {@code FILE').} */
    private static boolean closesQuote(String word) {
        return word.replaceAll("[.,;:!?)]+$", "").endsWith("'");
    }
}
