package dev.lockstep.engine;

import java.time.Instant;
import java.util.List;

/** A runbook as the engine runs it: identity, content hash, the window's end, and the steps in order. */
public record RunPlan(String runbookId, String runbookSha256, Instant windowEnd, List<StepPlan> steps) {
    public RunPlan {
        steps = List.copyOf(steps);
    }
}
