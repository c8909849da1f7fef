package dev.lockstep.criteria;

import dev.lockstep.runbook.StopAction;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A criterion breached or cleared: what the engine writes to the timeline as a {@code breach} or {@code clear}
 * record.
 *
 * @param signal the signal's key ({@code lock_wait_seconds}, {@code sql:app-errors})
 * @param reading the reading that caused the transition; unknown (with its reason) when an unreadable signal
 *     breached under {@code unknown: breach}
 * @param threshold the trip threshold for a breach, the clear threshold for a clear
 */
public record CriterionEvent(
        Kind kind,
        String criterionId,
        String signal,
        SignalReading reading,
        Comparison comparison,
        double threshold,
        StopAction action,
        Instant at) {

    public enum Kind {
        BREACH,
        CLEAR
    }

    public CriterionEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(criterionId, "criterionId");
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(reading, "reading");
        Objects.requireNonNull(comparison, "comparison");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(at, "at");
    }

    /** One line for the plain renderer: {@code breach lock-queue: lock_wait_seconds 7.5 > 5 (pause)}. */
    public String describe() {
        String symbol = kind == Kind.BREACH ? comparison.tripSymbol() : comparison.clearSymbol();
        String value = reading.isKnown()
                ? reading.describe() + " " + symbol + " " + SignalReading.formatNumber(threshold)
                : reading.describe();
        return kind.name().toLowerCase(Locale.ROOT) + " " + criterionId + ": " + signal + " " + value + " ("
                + action.name().toLowerCase(Locale.ROOT) + ")";
    }
}
