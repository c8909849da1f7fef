package dev.lockstep.runbook;

import java.util.Optional;

/**
 * {@code kind: sql}: statements run as written. DML needs a {@code verify} or {@code expect_rows}.
 *
 * @param transaction run all statements in one transaction (default); {@code false} for statements that
 *     refuse a transaction block, such as {@code CREATE INDEX CONCURRENTLY}
 */
public record SqlStep(
        String id,
        Optional<String> title,
        Optional<Phase> phase,
        String sql,
        boolean transaction,
        Execution execution,
        Optional<Verify> verify,
        Optional<RowBounds> expectRows,
        OnFailure onFailure,
        StepMarks marks)
        implements Step {
    @Override
    public String kind() {
        return "sql";
    }
}
