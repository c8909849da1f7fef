package dev.lockstep.runbook;

import java.util.Optional;

/**
 * {@code expect_rows: { min: 1, max: 500 }}: how many rows a DML step may touch; outside the bounds the
 * step's transaction is rolled back and the step fails.
 */
public record RowBounds(Optional<Value<Long>> min, Optional<Value<Long>> max) {}
