package dev.lockstep.tui.console;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.graphics.TextGraphics;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * How the console looks on this terminal. lanterna reads no environment variable, so Lockstep does: colour
 * unless {@code NO_COLOR} is set (then bold and reverse video carry what colour would), line drawing only when
 * the locale says UTF-8 (else ASCII, and the terminal is spoken to in ASCII). Colour always repeats what the
 * text already says: a breach reads BREACH in red, not just red.
 *
 * @param color whether to use colour
 * @param unicode whether the terminal takes UTF-8 (box drawing, block characters)
 */
public record Look(boolean color, boolean unicode) {

    /** What a cell means; the look decides how that shows. */
    public enum Role {
        NORMAL,
        /** Secondary text: units, hints, what is fine. */
        DIM,
        /** Section titles and the header. */
        TITLE,
        OK,
        WARN,
        BAD,
        /** A banner that needs attention but is not bad (a question waits). */
        ATTENTION,
        /** A banner for a breach, a failure. */
        ALARM,
        /** The selected row, the key in a footer. */
        SELECTED,
        KEY
    }

    /** From the process environment: NO_COLOR, then LC_ALL, LC_CTYPE and LANG in POSIX order. */
    public static Look from(Map<String, String> env) {
        String noColor = env.get("NO_COLOR");
        boolean color = noColor == null || noColor.isEmpty();
        return new Look(color, utf8Locale(env));
    }

    /** The locale in force is UTF-8: the first of LC_ALL, LC_CTYPE, LANG that is set decides. */
    static boolean utf8Locale(Map<String, String> env) {
        for (String name : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String value = env.get(name);
            if (value != null && !value.isEmpty()) {
                String lower = value.toLowerCase(Locale.ROOT);
                return lower.contains("utf-8") || lower.contains("utf8");
            }
        }
        return false;
    }

    /** The charset the terminal is spoken to in. */
    public Charset charset() {
        return unicode ? StandardCharsets.UTF_8 : StandardCharsets.US_ASCII;
    }

    public char horizontal() {
        return unicode ? '─' : '-';
    }

    public char vertical() {
        return unicode ? '│' : '|';
    }

    /** A box's corners, clockwise from the top left. */
    public char[] corners() {
        return unicode ? new char[] {'┌', '┐', '┘', '└'} : new char[] {'+', '+', '+', '+'};
    }

    public char cross() {
        return unicode ? '┼' : '+';
    }

    public char teeDown() {
        return unicode ? '┬' : '+';
    }

    public char full() {
        return unicode ? '█' : '#';
    }

    public char empty() {
        return unicode ? '░' : '-';
    }

    /** Eight heights, lowest first, for sparklines. */
    public String levels() {
        return unicode ? "▁▂▃▄▅▆▇█" : "_.-:=+*#";
    }

    public String ellipsis() {
        return unicode ? "…" : "~";
    }

    /** Sets the graphics' colours and modifiers for a role. */
    public void apply(TextGraphics graphics, Role role) {
        graphics.clearModifiers();
        graphics.setForegroundColor(TextColor.ANSI.DEFAULT);
        graphics.setBackgroundColor(TextColor.ANSI.DEFAULT);
        switch (role) {
            case NORMAL -> {}
            case DIM -> {
                if (color) {
                    graphics.setForegroundColor(TextColor.ANSI.WHITE);
                }
            }
            case TITLE -> graphics.enableModifiers(SGR.BOLD);
            case OK -> {
                if (color) {
                    graphics.setForegroundColor(TextColor.ANSI.GREEN);
                }
            }
            case WARN -> {
                graphics.enableModifiers(SGR.BOLD);
                if (color) {
                    graphics.setForegroundColor(TextColor.ANSI.YELLOW);
                }
            }
            case BAD -> {
                graphics.enableModifiers(SGR.BOLD);
                if (color) {
                    graphics.setForegroundColor(TextColor.ANSI.RED);
                }
            }
            case ATTENTION -> {
                graphics.enableModifiers(SGR.BOLD);
                if (color) {
                    graphics.setForegroundColor(TextColor.ANSI.BLACK);
                    graphics.setBackgroundColor(TextColor.ANSI.YELLOW);
                } else {
                    graphics.enableModifiers(SGR.REVERSE);
                }
            }
            case ALARM -> {
                graphics.enableModifiers(SGR.BOLD);
                if (color) {
                    graphics.setForegroundColor(TextColor.ANSI.WHITE);
                    graphics.setBackgroundColor(TextColor.ANSI.RED);
                } else {
                    graphics.enableModifiers(SGR.REVERSE);
                }
            }
            case SELECTED -> graphics.enableModifiers(SGR.REVERSE);
            case KEY -> graphics.enableModifiers(SGR.BOLD);
        }
    }
}
