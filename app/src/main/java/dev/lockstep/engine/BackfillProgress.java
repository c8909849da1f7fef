package dev.lockstep.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Where a backfill stands. The ETA counts only time spent working (paused time is left out of the rate),
 * and says where the total came from, because a reltuples estimate can be far off.
 *
 * @param target the time a batch aims at (null: fixed batches of {@code batchSize} keys)
 * @param pause the pause between batches now (the runbook's, or an operator's retune)
 */
public record BackfillProgress(
        long keysDone,
        long rowsDone,
        long batches,
        Long totalEstimate,
        String estimateSource,
        double keysPerSecond,
        double rowsPerSecond,
        Duration eta,
        Instant projectedFinish,
        Instant windowEnd,
        int batchSize,
        Duration target,
        Duration pause,
        Duration pausedFor) {

    /**
     * Whether the total counts rows rather than keys: the runbook's {@code estimate_rows} is the rows the
     * backfill touches, while the planner's and count's totals are the table's keys.
     */
    public boolean countsRows() {
        return "runbook".equals(estimateSource);
    }

    /** Fraction done, 0..1, or -1 when nothing is known about the total. */
    public double fraction() {
        if (totalEstimate == null || totalEstimate <= 0) {
            return -1;
        }
        return Math.min(1.0, (double) (countsRows() ? rowsDone : keysDone) / totalEstimate);
    }

    /** Whether the projected finish is after the window's end. */
    public boolean overrunsWindow() {
        return windowEnd != null && projectedFinish != null && projectedFinish.isAfter(windowEnd);
    }

    public Map<String, Object> toMap() {
        return EngineEvent.fields(
                "keys_done",
                keysDone,
                "rows_done",
                rowsDone,
                "batches",
                batches,
                "total_estimate",
                totalEstimate,
                "estimate_source",
                estimateSource,
                "keys_per_second",
                Math.round(keysPerSecond),
                "rows_per_second",
                Math.round(rowsPerSecond),
                "eta_seconds",
                eta == null ? null : eta.toSeconds(),
                "projected_finish",
                projectedFinish == null ? null : projectedFinish.toString(),
                "window_end",
                windowEnd == null ? null : windowEnd.toString(),
                "overruns_window",
                windowEnd == null ? null : overrunsWindow(),
                "batch_size",
                batchSize,
                "batch_target_ms",
                target == null ? null : target.toMillis(),
                "pause_ms",
                pause.toMillis(),
                "paused_seconds",
                pausedFor.toSeconds());
    }
}
