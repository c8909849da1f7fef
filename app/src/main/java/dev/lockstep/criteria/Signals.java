package dev.lockstep.criteria;

import dev.lockstep.runbook.BuiltinSignal;
import java.util.Set;

/** Names of the built-in signals, as keys of the readings sources publish. */
public final class Signals {
    /** Longest current lock wait in the target database, in seconds. */
    public static final String LOCK_WAIT_SECONDS = "lock_wait_seconds";
    /** Sessions in the target database waiting for a lock someone else holds or is queued for. */
    public static final String BLOCKED_SESSIONS = "blocked_sessions";
    /** Other sessions queued, directly or through a chain, behind one of Lockstep's own sessions. */
    public static final String BLOCKED_BY_US = "blocked_by_us";

    public static final String REPLICATION_LAG_SECONDS = "replication_lag_seconds";
    public static final String REPLICATION_LAG_BYTES = "replication_lag_bytes";
    public static final String SLOT_RETAINED_BYTES = "slot_retained_bytes";
    /** Age of the oldest open transaction of a client session in the target database, in seconds. */
    public static final String OLDEST_XACT_SECONDS = "oldest_xact_seconds";

    /** Seconds the current batch has run, or the last one took. Supplied by the engine. */
    public static final String BATCH_SECONDS = "batch_seconds";
    /** The current step's elapsed time divided by its estimate. Supplied by the engine. */
    public static final String STEP_ELAPSED_RATIO = "step_elapsed_ratio";
    /** Errors Lockstep's own statements met in the last minute. Supplied by the engine. */
    public static final String ERRORS = "errors";
    /** Seconds until the window ends. Supplied by the engine. */
    public static final String WINDOW_REMAINING = "window_remaining";

    /** Every built-in name, as the runbook format defines them. */
    public static final Set<String> BUILT_IN = Set.copyOf(BuiltinSignal.names());

    private Signals() {}
}
