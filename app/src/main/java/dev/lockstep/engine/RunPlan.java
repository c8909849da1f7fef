package dev.lockstep.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A runbook as the engine runs it: identity, content hash, the window's end, the steps in order, and the
 * steps' declared duration estimates (the base of the step_elapsed_ratio signal).
 */
public record RunPlan(
        String runbookId,
        String runbookSha256,
        Instant windowEnd,
        List<StepPlan> steps,
        Map<String, Duration> stepEstimates) {
    public RunPlan {
        steps = List.copyOf(steps);
        stepEstimates = Map.copyOf(stepEstimates);
    }

    public RunPlan(String runbookId, String runbookSha256, Instant windowEnd, List<StepPlan> steps) {
        this(runbookId, runbookSha256, windowEnd, steps, Map.of());
    }
}
