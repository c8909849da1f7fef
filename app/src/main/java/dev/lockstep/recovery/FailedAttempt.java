package dev.lockstep.recovery;

import dev.lockstep.runbook.sql.SqlStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * What the engine knows about a failed attempt when it hands it to the {@link Inspector}.
 *
 * @param statements the step's statements (empty for a check or a backfill)
 * @param failedStatement the index in {@code statements} of the statement that raised the error; -1 when
 *     none did (a verify that did not hold) or it is not known
 * @param completedOutsideTransaction statements that ran outside a transaction and completed before the
 *     failure: they stay applied whatever follows
 * @param error the server's error; null when the step failed a check rather than a statement
 * @param checkFailure expected against actual, when a check or verify did not hold
 * @param relation the table the step works on when the step says it (a backfill's table)
 * @param batch the backfill batch in flight (its key range and size); null for other steps
 * @param rowsCommitted rows a backfill committed before the failure (they stay)
 */
public record FailedAttempt(
        String stepId,
        String stepKind,
        int attempt,
        List<SqlStatement> statements,
        boolean transactional,
        int failedStatement,
        int completedOutsideTransaction,
        SQLException error,
        String checkFailure,
        Duration statementTimeout,
        Duration lockTimeout,
        Duration elapsed,
        String relation,
        Batch batch,
        long rowsCommitted) {

    public FailedAttempt {
        statements = List.copyOf(statements);
    }

    /** A backfill batch: keys from (exclusive) to (inclusive), as text, and its size in keys. */
    public record Batch(String from, String to, int size) {}

    public String sqlState() {
        return error == null ? null : error.getSQLState();
    }

    /** The statement that failed, or the only one, or null. */
    public SqlStatement statement() {
        if (failedStatement >= 0 && failedStatement < statements.size()) {
            return statements.get(failedStatement);
        }
        return statements.size() == 1 ? statements.get(0) : null;
    }
}
