package dev.lockstep.tui.console;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.lockstep.tui.console.Look.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * A box over the pane that asks for something before anything changes. The habits every dialog keeps: the key
 * that opened it never confirms it; Enter only submits the field it is in; Esc only cancels (or, for a
 * question, hides it: it stays pending); every action that changes anything takes a reason, recorded with the
 * operator's name before it acts.
 */
abstract class Dialog {

    /** Whether the dialog stays open after a key. */
    enum Result {
        KEEP,
        CLOSE
    }

    /**
     * A line of the dialog's text; {@code wraps} false keeps it to one line, cut with "..." (a list the
     * operator scans, where every item must stay on the screen).
     */
    record Line(String text, Role role, boolean wraps) {
        Line(String text, Role role) {
            this(text, role, true);
        }
    }

    /** A one-line text field: printable keys type, Backspace deletes, Ctrl-U clears. */
    static final class Field {
        final String label;
        final StringBuilder value = new StringBuilder();

        Field(String label) {
            this.label = label;
        }

        Field(String label, String initial) {
            this(label);
            value.append(initial);
        }

        String text() {
            return value.toString().strip();
        }

        /** True when the key edited the field. */
        boolean edit(KeyStroke key) {
            if (key.getKeyType() == KeyType.Character && !key.isCtrlDown() && !key.isAltDown()) {
                if (value.length() < 500) {
                    value.append(key.getCharacter());
                }
                return true;
            }
            if (key.getKeyType() == KeyType.Backspace) {
                if (value.length() > 0) {
                    value.setLength(value.length() - 1);
                }
                return true;
            }
            if (key.getKeyType() == KeyType.Character && key.isCtrlDown() && key.getCharacter() == 'u') {
                value.setLength(0);
                return true;
            }
            return false;
        }
    }

    /** A message under the fields: why Enter did nothing. */
    protected String problem;

    /** The dialog to open when this one closes (a choice that needs its own dialog); null for none. */
    protected Dialog next;

    abstract String title();

    /** The text above the fields: what the dialog is about, named so that nobody acts on the wrong thing. */
    abstract List<Line> body();

    /**
     * The body for a box with room for {@code rows} lines of {@code columns} columns between the banner and the
     * footer; all of it by default. A dialog whose body can run long gives up what matters least to fit.
     */
    List<Line> body(int rows, int columns) {
        return body();
    }

    /** The fields, in order; the active one takes the keys. */
    List<Field> fields() {
        return List.of();
    }

    /** The field that takes typed keys; null when none does. */
    Field active() {
        return null;
    }

    /** The keys the dialog takes now, for its last line. */
    abstract String hint();

    abstract Result key(KeyStroke key);

    /** Draws the box centred over the pane. */
    void draw(Painter painter) {
        // 76 columns at 80x24; a wider terminal gives a dialog more, so that options and facts cut at 80
        // columns read whole there
        int width = Math.min(painter.width() - 4, Math.min(120, Math.max(76, painter.width() * 7 / 8)));
        List<Field> fields = fields();
        int bodyRows = painter.height() - Chrome.TOP - 1 - 4 - fields.size() - (problem == null ? 0 : 1);
        List<Line> lines = new ArrayList<>();
        for (Line line : body(bodyRows, width - 4)) {
            String text = painter.printable(line.text());
            if (!line.wraps()) {
                lines.add(
                        new Line(text.length() > width - 4 ? text.substring(0, width - 7) + "..." : text, line.role()));
                continue;
            }
            for (String wrapped : wrap(text, width - 4)) {
                lines.add(new Line(wrapped, line.role()));
            }
        }
        int height = lines.size() + fields.size() + (problem == null ? 0 : 1) + 4;
        int top = Math.max(Chrome.TOP, (painter.height() - height) / 2);
        int left = (painter.width() - width) / 2;
        String horizontal = String.valueOf(painter.look().horizontal());
        char[] corners = painter.look().corners();
        String head = corners[0] + horizontal + " " + title() + " ";
        painter.text(
                left,
                top,
                head + horizontal.repeat(Math.max(0, width - head.length() - 1)) + corners[1],
                width,
                Role.TITLE);
        int row = top + 1;
        for (Line line : lines) {
            blank(painter, left, row, width);
            painter.text(left + 2, row++, line.text(), width - 4, line.role());
        }
        for (Field field : fields) {
            blank(painter, left, row, width);
            boolean isActive = field == active();
            String shown = field.label + ": " + field.value + (isActive ? "_" : "");
            int room = width - 4;
            if (shown.length() > room) {
                shown = shown.substring(shown.length() - room);
            }
            painter.text(left + 2, row++, shown, room, isActive ? Role.SELECTED : Role.NORMAL);
        }
        if (problem != null) {
            blank(painter, left, row, width);
            painter.text(left + 2, row++, problem, width - 4, Role.BAD);
        }
        blank(painter, left, row, width);
        blank(painter, left, row + 1, width);
        painter.text(left + 2, row + 1, hint(), width - 4, Role.DIM);
        painter.text(left, row + 2, corners[3] + horizontal.repeat(width - 2) + corners[2], width, Role.TITLE);
    }

    private static void blank(Painter painter, int left, int row, int width) {
        String side = String.valueOf(painter.look().vertical());
        painter.text(left, row, side + " ".repeat(width - 2) + side, width, Role.TITLE);
    }

    /** Splits text into lines of at most {@code width} columns, at spaces where it can. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        String rest = text;
        while (rest.length() > width) {
            int cut = rest.lastIndexOf(' ', width);
            if (cut <= 0) {
                cut = width;
            }
            lines.add(rest.substring(0, cut));
            rest = rest.substring(cut).stripLeading();
        }
        lines.add(rest);
        return lines;
    }

    static boolean isEnter(KeyStroke key) {
        return key.getKeyType() == KeyType.Enter;
    }

    static boolean isEscape(KeyStroke key) {
        return key.getKeyType() == KeyType.Escape;
    }

    static boolean isChar(KeyStroke key, char c) {
        return key.getKeyType() == KeyType.Character
                && !key.isCtrlDown()
                && !key.isAltDown()
                && key.getCharacter() == c;
    }
}
