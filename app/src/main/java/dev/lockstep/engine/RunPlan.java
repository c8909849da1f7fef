package dev.lockstep.engine;

import dev.lockstep.runbook.Evidence;
import dev.lockstep.runbook.OnFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A runbook as the engine runs it: identity, content hash, the window's end, the steps in order, and the
 * steps' declared duration estimates (the base of the step_elapsed_ratio signal); for recovery, the steps
 * outside the main flow, where each step may go when it fails, the steps past which rollback is no longer
 * possible, and the steps the change holds without.
 *
 * @param boundaries the rollback boundaries: steps marked {@code rollback_boundary: true}, and
 *     contract-phase steps that destroy (a DROP, a DELETE)
 * @param optional the steps the runbook marks {@code critical: false}: they may be skipped when they fail
 * @param evidence the steps the runbook marks {@code evidence:}, with what each proves (a restore-tested
 *     backup): their records say so in the timeline, for the auditor who looks for the proof
 * @param fingerprints each step's fingerprint ({@code Runbook.stepFingerprints}), main flow then recovery: kept
 *     in the run row, so that a resume of a changed runbook can say which steps changed
 */
record RunPlan(
        String runbookId,
        String runbookSha256,
        Instant windowEnd,
        List<StepPlan> steps,
        Map<String, Duration> stepEstimates,
        List<StepPlan> recovery,
        Map<String, OnFailure> onFailure,
        Set<String> boundaries,
        Set<String> optional,
        Map<String, Evidence> evidence,
        Map<String, String> fingerprints) {
    public RunPlan {
        steps = List.copyOf(steps);
        stepEstimates = Map.copyOf(stepEstimates);
        recovery = List.copyOf(recovery);
        onFailure = Map.copyOf(onFailure);
        boundaries = Set.copyOf(boundaries);
        optional = Set.copyOf(optional);
        evidence = Map.copyOf(evidence);
        fingerprints = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fingerprints));
    }

    public RunPlan(
            String runbookId,
            String runbookSha256,
            Instant windowEnd,
            List<StepPlan> steps,
            Map<String, Duration> stepEstimates) {
        this(
                runbookId,
                runbookSha256,
                windowEnd,
                steps,
                stepEstimates,
                List.of(),
                Map.of(),
                Set.of(),
                Set.of(),
                Map.of(),
                Map.of());
    }

    public RunPlan(String runbookId, String runbookSha256, Instant windowEnd, List<StepPlan> steps) {
        this(runbookId, runbookSha256, windowEnd, steps, Map.of());
    }

    /** The step with this id, in the main flow or under recovery. */
    public Optional<StepPlan> step(String stepId) {
        return Stream.concat(steps.stream(), recovery.stream())
                .filter(step -> step.stepId().equals(stepId))
                .findFirst();
    }

    public OnFailure onFailure(String stepId) {
        return onFailure.getOrDefault(stepId, OnFailure.NONE);
    }

    public boolean isRecoveryStep(String stepId) {
        return recovery.stream().anyMatch(step -> step.stepId().equals(stepId));
    }
}
