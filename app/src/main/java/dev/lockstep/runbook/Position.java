package dev.lockstep.runbook;

/** A place in a runbook file: 1-based line and column, as editors count them. */
public record Position(int line, int column) {
    /** The start of the file, for problems that concern the whole file (empty, unreadable, too large). */
    public static final Position START = new Position(1, 1);

    public Position {
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("line and column are 1-based: " + line + ":" + column);
        }
    }

    @Override
    public String toString() {
        return line + ":" + column;
    }
}
