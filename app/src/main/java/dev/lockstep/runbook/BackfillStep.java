package dev.lockstep.runbook;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code kind: backfill}: a resumable, throttled batched update. The engine walks {@code table} by
 * {@code key} in ascending order and runs {@code sql} once per batch with {@code :from} (exclusive) and
 * {@code :to} (inclusive) bound to the batch's key range; each batch commits with its checkpoint.
 *
 * @param estimateRows {@code estimate_rows}: rows the backfill is expected to touch, for progress and ETA
 * @param verify the completion check, run once after the last batch (required: a backfill is DML)
 */
public record BackfillStep(
        String id,
        Optional<String> title,
        Optional<Phase> phase,
        String table,
        String key,
        KeyType keyType,
        Batch batch,
        String sql,
        Optional<Value<Long>> estimateRows,
        Execution execution,
        Optional<Verify> verify,
        OnFailure onFailure,
        StepMarks marks)
        implements Step {

    /** The key column's type: integers walk ranges; uuid and text walk keyset pages. */
    public enum KeyType {
        INTEGER,
        UUID,
        TEXT
    }

    /**
     * {@code batch: { size: 1000, target: 200ms, min: 100, max: 20000, pause: 50ms }}. Without
     * {@code target} every batch has {@code size} keys; with it, the size adapts between {@code min} and
     * {@code max} so that a batch takes about {@code target}. {@code pause} is slept between batches.
     */
    public record Batch(
            Value<Integer> size,
            Optional<Value<Duration>> target,
            Optional<Value<Integer>> min,
            Optional<Value<Integer>> max,
            Value<Duration> pause) {}

    @Override
    public String kind() {
        return "backfill";
    }
}
