package dev.lockstep;

/**
 * The one root of the errors an operator can act on. It carries the exit code the command line ends
 * with; its message is printed as one line (with the causes' messages), never as a stack trace unless
 * {@code --stacktrace} is given.
 */
public class LockstepException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ExitCode exitCode;

    public LockstepException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public LockstepException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public static LockstepException usage(String message) {
        return new LockstepException(ExitCode.USAGE, message);
    }

    public static LockstepException unreachable(String message, Throwable cause) {
        return new LockstepException(ExitCode.DATABASE_UNREACHABLE, message, cause);
    }
}
