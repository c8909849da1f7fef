package dev.lockstep.tui.console;

import dev.lockstep.criteria.Comparison;
import dev.lockstep.criteria.Criterion;
import dev.lockstep.criteria.SignalReading;
import dev.lockstep.runbook.BuiltinSignal;
import dev.lockstep.tui.Units;
import java.util.Locale;
import java.util.Map;

/** Signals as an operator reads them: short names, values in their unit, thresholds with their side. */
final class SignalText {

    private static final Map<String, String> SHORT = Map.ofEntries(
            Map.entry("lock_wait_seconds", "lock wait"),
            Map.entry("blocked_sessions", "blocked"),
            Map.entry("blocked_by_us", "blocked by us"),
            Map.entry("replication_lag_seconds", "lag"),
            Map.entry("replication_lag_bytes", "lag bytes"),
            Map.entry("slot_retained_bytes", "slot WAL"),
            Map.entry("oldest_xact_seconds", "oldest xact"),
            Map.entry("batch_seconds", "batch time"),
            Map.entry("step_elapsed_ratio", "step/estimate"),
            Map.entry("errors", "errors/min"),
            Map.entry("window_remaining", "window left"));

    private SignalText() {}

    /** {@code lag}, {@code lock wait}; a custom SQL signal by its criterion's name. */
    static String name(String signalKey) {
        return SHORT.getOrDefault(signalKey, signalKey.startsWith("sql:") ? signalKey.substring(4) : signalKey);
    }

    /** A value in the signal's unit: {@code 12s}, {@code 14.5 MB}, {@code 3}, {@code 1.25x}. */
    static String value(String signalKey, double value) {
        BuiltinSignal.Unit unit =
                BuiltinSignal.byName(signalKey).map(BuiltinSignal::unit).orElse(BuiltinSignal.Unit.COUNT);
        return switch (unit) {
            case SECONDS -> Units.seconds(value);
            case BYTES -> Units.bytes(value);
            case RATIO -> String.format(Locale.ROOT, "%.2fx", value);
            case COUNT -> SignalReading.formatNumber(value);
        };
    }

    /** The reading, or {@code unknown}. */
    static String reading(String signalKey, SignalReading reading) {
        return reading instanceof SignalReading.Value known ? value(signalKey, known.value()) : "unknown";
    }

    /** {@code > 6s}: the side that trips and the threshold, as the runbook wrote it. */
    static String limit(Criterion criterion) {
        return criterion.comparison().tripSymbol() + " "
                + threshold(criterion.signal().key(), criterion.threshold());
    }

    /** A threshold in the signal's unit, without the decimals a reading has: {@code 3s}, {@code 0.5s}, {@code 64.0 MB}. */
    static String threshold(String signalKey, double value) {
        BuiltinSignal.Unit unit =
                BuiltinSignal.byName(signalKey).map(BuiltinSignal::unit).orElse(BuiltinSignal.Unit.COUNT);
        return switch (unit) {
            case SECONDS -> SignalReading.formatNumber(value) + "s";
            case BYTES -> Units.bytes(value);
            case RATIO -> SignalReading.formatNumber(value) + "x";
            case COUNT -> SignalReading.formatNumber(value);
        };
    }

    /** {@code <= 5s}: where the criterion clears. */
    static String clearsAt(Criterion criterion) {
        Comparison comparison = criterion.comparison();
        return comparison.clearSymbol() + " " + threshold(criterion.signal().key(), criterion.clearThreshold());
    }

    static String action(Criterion criterion) {
        return criterion.action().name().toLowerCase(Locale.ROOT);
    }

    /** Whether the signal is about lock queues: then the blocker is what the operator needs to see. */
    static boolean aboutLocks(String signalKey) {
        return signalKey.equals("lock_wait_seconds")
                || signalKey.equals("blocked_sessions")
                || signalKey.equals("blocked_by_us");
    }
}
