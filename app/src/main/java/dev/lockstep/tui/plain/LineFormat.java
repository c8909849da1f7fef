package dev.lockstep.tui.plain;

import dev.lockstep.tui.Units;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The columns of line mode: {@code HH:mm:ss}, a tag of at most seven characters, then the text. Text longer
 * than the width continues on lines indented under the text column, so nothing is cut; a width of 0 means
 * "not a terminal" (a log file, CI), where an event stays on one line however long.
 */
public final class LineFormat {

    /** Tags are padded to this width, so that the text of every line starts in the same column. */
    static final int TAG_WIDTH = 7;
    /** Where the text starts: eight characters of time, a space, the tag, a space. */
    public static final int TEXT_COLUMN = 8 + 1 + TAG_WIDTH + 1;
    /** What continuation lines start with; the demo joins them back to whole events. */
    public static final String CONTINUATION = " ".repeat(TEXT_COLUMN);

    /** Between the parts of a line made of parts (a status line): wide enough to see where one ends. */
    private static final String PART_GAP = "  ";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private final DateTimeFormatter time;

    public LineFormat(ZoneId zone) {
        this.time = TIME.withZone(zone);
    }

    /** The clock time as lines show it. */
    String time(Instant at) {
        return time.format(at);
    }

    /** One event: words wrap at {@code width} (0: never). */
    public List<String> lines(Instant at, String tag, String text, int width) {
        return words(prefix(at, tag), Units.clean(text), width);
    }

    /** More of the line before, all under the text column: a hint that belongs to a question. */
    List<String> more(String text, int width) {
        return words(CONTINUATION, Units.clean(text), width);
    }

    /** A line of separate facts: it breaks between facts, never inside one that fits a line. */
    List<String> parts(Instant at, String tag, List<String> parts, int width) {
        List<String> cleaned = parts.stream().map(Units::clean).toList();
        if (width <= 0) {
            return List.of(prefix(at, tag) + String.join(PART_GAP, cleaned));
        }
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(prefix(at, tag));
        boolean empty = true;
        for (String part : cleaned) {
            if (!empty && line.length() + PART_GAP.length() + part.length() > width) {
                lines.add(line.toString());
                line = new StringBuilder(CONTINUATION);
                empty = true;
            }
            if (!empty) {
                line.append(PART_GAP);
            }
            if (line.length() + part.length() > width) {
                // a single fact wider than a line: wrap it by words like free text
                List<String> wrapped = words(line.toString(), part, width);
                lines.addAll(wrapped.subList(0, wrapped.size() - 1));
                line = new StringBuilder(wrapped.get(wrapped.size() - 1));
            } else {
                line.append(part);
            }
            empty = false;
        }
        lines.add(line.toString());
        return lines;
    }

    private String prefix(Instant at, String tag) {
        String shortTag = tag.length() > TAG_WIDTH ? tag.substring(0, TAG_WIDTH) : tag;
        return time(at) + " " + shortTag + " ".repeat(TAG_WIDTH - shortTag.length()) + " ";
    }

    /**
     * Fills lines word by word; a word longer than a whole line (a long key, a path) is split where the line
     * ends, so no line is ever wider than {@code width}.
     */
    private static List<String> words(String prefix, String text, int width) {
        if (width <= 0) {
            return List.of(prefix + text);
        }
        int usable = Math.max(width, TEXT_COLUMN + 10);
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(prefix);
        boolean empty = true;
        for (String word : text.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            if (!empty && line.length() + 1 + word.length() > usable) {
                lines.add(line.toString());
                line = new StringBuilder(CONTINUATION);
                empty = true;
            }
            if (!empty) {
                line.append(' ');
            }
            String rest = word;
            while (line.length() + rest.length() > usable) {
                int fits = usable - line.length();
                line.append(rest, 0, fits);
                lines.add(line.toString());
                line = new StringBuilder(CONTINUATION);
                rest = rest.substring(fits);
            }
            line.append(rest);
            empty = false;
        }
        lines.add(line.toString());
        return lines;
    }
}
