package dev.lockstep.criteria;

import java.util.List;
import java.util.Objects;

/** The outcome of one evaluation: the verdict and the breaches and clears it caused, in runbook order. */
public record Evaluation(Verdict verdict, List<CriterionEvent> events) {
    public Evaluation {
        Objects.requireNonNull(verdict, "verdict");
        events = List.copyOf(events);
    }
}
