package dev.lockstep.engine;

import dev.lockstep.criteria.CriterionEvent;
import dev.lockstep.criteria.CriterionStatus;
import dev.lockstep.criteria.SignalReading;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.recovery.Diagnosis;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a screen shows about a run at one instant, folded from the engine's events by {@link RunViewFold}:
 * immutable, so a renderer draws a frame from one value while the run goes on. Every front end reads the same
 * view; none re-derives state from text.
 *
 * @param runbookId the runbook's id
 * @param title the runbook's one-line title
 * @param runId the run's id once it opened; null before
 * @param database where it runs ({@code name on host:port}); null before the run opened
 * @param holder who runs it ({@code user@host pid N}); null before the run opened
 * @param openedAt when this process opened the run
 * @param resumed whether this process continues an earlier one's run
 * @param windowEnd the change window's end; null without a window
 * @param state the run's state
 * @param stateReason why it is in that state, in words
 * @param stateCause what put it there
 * @param stateBy the criteria or the operator behind the state, when one is
 * @param stateSince when it entered the state
 * @param stopping why a stop was asked for (the run stops at its next safe point); null when none
 * @param aborting whether that stop is an abort (the statement in flight is cancelled)
 * @param steps every step of the runbook, in order
 * @param currentStep the step in flight; null between steps
 * @param progress the latest backfill progress; null before any
 * @param progressStep the backfill the progress is of
 * @param criteria every stop criterion's status at the last sample, in runbook order
 * @param changes each criterion's latest breach or clear
 * @param snapshot what the probes saw at the last sample (locks, replication, activity); null before any
 * @param readings every signal's reading at the last sample
 * @param question the question the run waits on; null when none
 * @param failure the latest failure nobody has decided on yet (no decision, rerun or settlement since);
 *     null when none
 * @param recent the latest events worth a line (not batches, samples or observations), oldest first
 * @param outcome how the run ended; null while it goes on
 * @param awaiting the second approver an R5 gate waits for, with the command they run; null when none
 */
public record RunView(
        String runbookId,
        String title,
        String runId,
        String database,
        String holder,
        Instant openedAt,
        boolean resumed,
        Instant windowEnd,
        RunState state,
        String stateReason,
        EngineEvent.StateChanged.Cause stateCause,
        String stateBy,
        Instant stateSince,
        String stopping,
        boolean aborting,
        List<StepView> steps,
        String currentStep,
        BackfillProgress progress,
        String progressStep,
        List<CriterionStatus> criteria,
        Map<String, CriterionEvent> changes,
        Snapshot snapshot,
        Map<String, SignalReading> readings,
        Question question,
        Diagnosis failure,
        List<EngineEvent> recent,
        Outcome outcome,
        EngineEvent.ApprovalAwaited awaiting) {

    public RunView {
        steps = List.copyOf(steps);
        criteria = List.copyOf(criteria);
        changes = Map.copyOf(changes);
        readings = Map.copyOf(readings);
        recent = List.copyOf(recent);
    }

    /** How far one step got. */
    public enum StepStatus {
        PENDING,
        RUNNING,
        /** An attempt failed and the run goes on: the step is tried again, or waits for a decision. */
        RETRYING,
        OK,
        /** Completed by an earlier process of the run. */
        SKIPPED,
        FAILED,
        /** Started and ended by a stop (the run is resumable). */
        STOPPED,
        /** Lost with the control session mid-step; the ledger or verify decides. */
        IN_DOUBT,
        /** Failed, and settled by the operator: a roll-forward step ran in its place. */
        ROLLED_FORWARD,
        /** Failed, and left out by the operator's decision (the runbook marks it critical: false). */
        LEFT_OUT;

        /** The run has gone on past the step: it completed, or a decision settled it. */
        public boolean isPast() {
            return this == OK || this == SKIPPED || this == ROLLED_FORWARD || this == LEFT_OUT;
        }
    }

    /**
     * One step of the runbook.
     *
     * @param estimate the runbook's {@code estimate}; null without one
     * @param elapsed the time the last attempt took, or has taken so far when it runs (as of the last event)
     * @param check the last check or verify of the step; null when none ran
     */
    public record StepView(
            String id,
            String kind,
            StepStatus status,
            int attempt,
            Instant startedAt,
            Instant endedAt,
            Duration estimate,
            Duration elapsed,
            Long rows,
            String message,
            EngineEvent.Verified check) {}

    /** The run's end: its final state, exit code and why. */
    public record Outcome(RunState state, int exitCode, String message) {}

    public Optional<StepView> step(String id) {
        return steps.stream().filter(step -> step.id().equals(id)).findFirst();
    }

    /** Steps the run is past: completed (in this process or an earlier one), or settled by a decision. */
    public long stepsDone() {
        return steps.stream().filter(step -> step.status().isPast()).count();
    }

    public boolean ended() {
        return outcome != null;
    }
}
