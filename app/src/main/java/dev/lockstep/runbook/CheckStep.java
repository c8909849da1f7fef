package dev.lockstep.runbook;

import java.util.Optional;

/** {@code kind: check}: a read-only query whose single value must meet {@code expect}. */
public record CheckStep(
        String id,
        Optional<String> title,
        Optional<Phase> phase,
        String sql,
        Expectation expect,
        Execution execution,
        OnFailure onFailure,
        StepMarks marks)
        implements Step {
    @Override
    public String kind() {
        return "check";
    }
}
