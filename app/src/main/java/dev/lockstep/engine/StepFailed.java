package dev.lockstep.engine;

/** A step ended in failure (exit 1): a statement error that retries did not cure, a check that did not hold. */
final class StepFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String sqlState;

    StepFailed(String message, String sqlState) {
        super(message, null, false, false);
        this.sqlState = sqlState;
    }

    String sqlState() {
        return sqlState;
    }
}
