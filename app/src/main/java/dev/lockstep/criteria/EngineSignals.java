package dev.lockstep.criteria;

import java.util.OptionalDouble;

/**
 * The signals only the engine knows, implemented by the engine and read by the sampler thread (so the
 * implementation must be safe to call from another thread). Adapt it with {@link SignalSource#engine}.
 */
public interface EngineSignals {

    /** Seconds the in-flight batch has been running, or the last batch took when none is in flight; 0 before any. */
    double batchSeconds();

    /** The current step's elapsed time divided by its estimate; 0 when no step runs or it has no estimate. */
    double stepElapsedRatio();

    /** Errors Lockstep's own statements met in the last minute: failed attempts and retried statements. */
    long errors();

    /**
     * Seconds until the window ends (negative once it has passed); empty when the runbook declares no window, which
     * a criterion on {@code window_remaining} then reads as unknown.
     */
    OptionalDouble windowRemainingSeconds();
}
