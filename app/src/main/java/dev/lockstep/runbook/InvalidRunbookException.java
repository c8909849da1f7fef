package dev.lockstep.runbook;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.util.List;

/**
 * A runbook that cannot be used as it is: it carries every problem found (never only the first), and
 * ends the command line with exit code 3. Its message is the first problem plus a count, so a one-line
 * report still points somewhere useful; print {@link #problems()} to show them all.
 */
final class InvalidRunbookException extends LockstepException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public InvalidRunbookException(List<Problem> problems) {
        super(ExitCode.INVALID_RUNBOOK, summary(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String summary(List<Problem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid runbook has at least one problem");
        }
        String first = problems.get(0).toString();
        return problems.size() == 1 ? first : first + " (and " + (problems.size() - 1) + " more problems)";
    }
}
