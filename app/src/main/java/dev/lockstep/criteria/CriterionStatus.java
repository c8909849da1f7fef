package dev.lockstep.criteria;

import java.time.Instant;
import java.util.Objects;

/**
 * Where one criterion stood at the last evaluation.
 *
 * @param reading the last reading, which under {@code unknown: ignore} may be an unknown one the state ignored
 * @param since when the criterion entered {@code state}
 */
public record CriterionStatus(Criterion criterion, CriterionState state, SignalReading reading, Instant since) {
    public CriterionStatus {
        Objects.requireNonNull(criterion, "criterion");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reading, "reading");
        Objects.requireNonNull(since, "since");
    }

    public String id() {
        return criterion.id();
    }
}
