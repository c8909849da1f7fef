package dev.lockstep.engine;

import dev.lockstep.runbook.StopAction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the stop criteria currently ask of the run. The criteria sampler publishes one; the engine reads
 * it at every safe point (before each batch and step) and a watchdog reads it to cancel on abort.
 *
 * @param action the strongest action of the criteria in force; empty: proceed
 * @param autoResume for a pause: the run goes on by itself once the pausing criteria clear
 * @param awaitingOperator for a pause: every pausing signal has cleared and only the operator's release
 *     (resume, with a reason) keeps the run paused
 * @param batchMultiplier for a throttle: the factor applied to the adaptive batch size, in (0, 1]
 * @param addedPause for a throttle: added to the pause between batches
 */
public record Directive(
        Optional<StopAction> action,
        String criterion,
        String reason,
        boolean autoResume,
        boolean awaitingOperator,
        double batchMultiplier,
        Duration addedPause) {

    /** Proceed: no criterion is in force. */
    public static final Directive NONE = new Directive(Optional.empty(), null, null, false, false, 1.0, Duration.ZERO);

    public Directive {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(addedPause, "addedPause");
        if (!(batchMultiplier > 0 && batchMultiplier <= 1)) {
            throw new IllegalArgumentException("batch multiplier must be in (0, 1], got " + batchMultiplier);
        }
    }

    /** Whether the criteria ask for {@code wanted} now. */
    public boolean is(StopAction wanted) {
        return action.equals(Optional.of(wanted));
    }

    /**
     * Where the current directive comes from; {@code () -> Directive.NONE} when the runbook has no criteria.
     * Implementations are read from the engine's thread and the watchdog's, so they must be thread-safe.
     */
    @FunctionalInterface
    public interface Source {
        Directive current();

        /** The operator resumed a pause that waits for them: criteria held after clearing are released. */
        default void release() {}

        /** Breaches and clears since the last call, oldest first, as engine events to record. */
        default List<EngineEvent> drainEvents() {
            return List.of();
        }

        /** The latest reading of each readable signal, for the timeline's periodic samples. */
        default Map<String, Double> latestReadings() {
            return Map.of();
        }
    }
}
