package dev.lockstep.runbook;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The signals Lockstep samples itself (design, "Stop criteria semantics"), each with its unit. */
public enum BuiltinSignal {
    /** Longest current lock wait in the target database. */
    LOCK_WAIT_SECONDS(Unit.SECONDS),
    /** Sessions waiting for a lock. */
    BLOCKED_SESSIONS(Unit.COUNT),
    /** Sessions queued behind Lockstep's own sessions. */
    BLOCKED_BY_US(Unit.COUNT),
    /** Replay lag of the slowest standby, in seconds. */
    REPLICATION_LAG_SECONDS(Unit.SECONDS),
    /** Replay lag of the slowest standby, in bytes of WAL. */
    REPLICATION_LAG_BYTES(Unit.BYTES),
    /** WAL retained by the replication slot holding the most. */
    SLOT_RETAINED_BYTES(Unit.BYTES),
    /** Age of the oldest open transaction. */
    OLDEST_XACT_SECONDS(Unit.SECONDS),
    /** Duration of the last backfill batch. */
    BATCH_SECONDS(Unit.SECONDS),
    /** Elapsed time of the current step divided by its estimate. */
    STEP_ELAPSED_RATIO(Unit.RATIO),
    /** Errors Lockstep's own statements met in the last minute. */
    ERRORS(Unit.COUNT),
    /** Seconds left until the window ends. */
    WINDOW_REMAINING(Unit.SECONDS);

    /** What a threshold on the signal counts; decides whether {@code 5s} or {@code 64MB} may stand for it. */
    public enum Unit {
        SECONDS,
        BYTES,
        COUNT,
        RATIO
    }

    private final Unit unit;

    BuiltinSignal(Unit unit) {
        this.unit = unit;
    }

    public Unit unit() {
        return unit;
    }

    /** The name as written in a runbook, e.g. {@code lock_wait_seconds}. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<BuiltinSignal> byName(String name) {
        return Arrays.stream(values())
                .filter(signal -> signal.yamlName().equals(name))
                .findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(BuiltinSignal::yamlName).toList();
    }
}
