package dev.lockstep.runbook;

import java.util.Comparator;

/**
 * One thing wrong with a runbook, pointing at the offending key or value.
 *
 * @param file the file as the operator named it (the path given on the command line)
 * @param position 1-based line and column of the offending key or value
 * @param message what is wrong and what was expected, one line
 */
public record Problem(String file, Position position, String message) {
    /** Problems in reading order: by file, then line, then column. */
    public static final Comparator<Problem> IN_FILE_ORDER = Comparator.comparing(Problem::file)
            .thenComparingInt((Problem problem) -> problem.position().line())
            .thenComparingInt(problem -> problem.position().column());

    public int line() {
        return position.line();
    }

    public int column() {
        return position.column();
    }

    /** {@code FILE:LINE:COL: message}, the form editors and compilers use. */
    @Override
    public String toString() {
        return file + ":" + position.line() + ":" + position.column() + ": " + message;
    }
}
