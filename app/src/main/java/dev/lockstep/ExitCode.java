package dev.lockstep;

/**
 * The process exit codes of the command-line contract (design note, "Command line"). Scripts and CI
 * rely on these numbers: change them only through an issue.
 */
public enum ExitCode {
    DONE(0, "done: the command succeeded (verify: timeline complete and intact)"),
    STEP_FAILED(1, "a step failed (verify: timeline incomplete)"),
    USAGE(2, "usage: unknown command, bad option or missing file"),
    INVALID_RUNBOOK(3, "invalid runbook"),
    STOPPED(4, "stopped by a stop criterion or by the operator (resumable)"),
    DATABASE_UNREACHABLE(5, "database unreachable"),
    TIMELINE_TAMPERED(6, "timeline tampered"),
    INTERNAL_ERROR(70, "internal error");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }
}
