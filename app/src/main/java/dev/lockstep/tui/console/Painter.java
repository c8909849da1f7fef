package dev.lockstep.tui.console;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.graphics.TextGraphics;
import dev.lockstep.tui.Units;
import dev.lockstep.tui.console.Look.Role;

/**
 * Draws text into one frame: every string is made printable (a control character from the database becomes
 * '?', so a query text cannot move the cursor), clipped to the frame (with an ellipsis where it was cut) and,
 * on an ASCII terminal, kept to ASCII. Columns and rows count from 0.
 */
final class Painter {

    private final TextGraphics graphics;
    private final Look look;
    private final int width;
    private final int height;

    Painter(TextGraphics graphics, Look look, TerminalSize size) {
        this.graphics = graphics;
        this.look = look;
        this.width = size.getColumns();
        this.height = size.getRows();
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    Look look() {
        return look;
    }

    /** Writes {@code text} at (col, row), cut to fit before the right edge; returns the columns written. */
    int text(int col, int row, String text, Role role) {
        return text(col, row, text, width - col, role);
    }

    /** Writes at most {@code max} columns; a text cut short ends with an ellipsis. */
    int text(int col, int row, String text, int max, Role role) {
        if (row < 0 || row >= height || col >= width || max <= 0) {
            return 0;
        }
        String shown = fit(printable(text), Math.min(max, width - col));
        look.apply(graphics, role);
        graphics.putString(col, row, shown);
        return shown.length();
    }

    /** Writes {@code text} ending at the right edge. */
    void right(int row, String text, Role role) {
        String shown = printable(text);
        text(Math.max(0, width - shown.length()), row, shown, role);
    }

    /** A whole row in one role (a banner, a selection): the text, then the role's background to the edge. */
    void bar(int row, String text, Role role) {
        String shown = fit(printable(text), width);
        text(0, row, shown + " ".repeat(width - shown.length()), role);
    }

    /** A section rule: {@code -- TITLE -----}, to the edge, or up to {@code max} columns. */
    void rule(int col, int row, String title, int max) {
        String dash = String.valueOf(look.horizontal());
        String head = dash + dash + " " + title + " ";
        int length = Math.min(max, width - col);
        String line = head.length() >= length ? head : head + dash.repeat(length - head.length());
        text(col, row, line, length, Role.TITLE);
    }

    void vertical(int col, int row) {
        text(col, row, String.valueOf(look.vertical()), 1, Role.DIM);
    }

    /** Clears the whole frame. */
    void clear() {
        look.apply(graphics, Role.NORMAL);
        graphics.fill(' ');
    }

    /** Cuts {@code text} to {@code max} columns, marking the cut. */
    String fit(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        if (max <= 1) {
            return text.substring(0, Math.max(0, max));
        }
        return text.substring(0, max - 1) + look.ellipsis();
    }

    /**
     * One line of text this terminal can show: line breaks and tabs become spaces, other control characters
     * '?', and on an ASCII terminal anything beyond ASCII '?'. Spaces are kept (columns align on them); text
     * from the database is {@link Units#clean cleaned} by whoever shows it.
     */
    String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder shown = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t') {
                shown.append(' ');
            } else if (Character.isISOControl(c) || (!look.unicode() && c >= 0x7f)) {
                shown.append('?');
            } else {
                shown.append(c);
            }
        }
        return shown.toString();
    }

    /** Pads or cuts to exactly {@code columns}. */
    String column(String text, int columns) {
        String shown = fit(printable(text), columns);
        return shown + " ".repeat(Math.max(0, columns - shown.length()));
    }
}
