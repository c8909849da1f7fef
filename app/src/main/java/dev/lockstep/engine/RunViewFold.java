package dev.lockstep.engine;

import dev.lockstep.criteria.CriterionEvent;
import dev.lockstep.criteria.CriterionStatus;
import dev.lockstep.criteria.SignalReading;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.recovery.Diagnosis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Folds the engine's events into the {@link RunView} every screen draws from. A listener like any other: it
 * is called one event at a time (on the engine's or the watchdog's thread), keeps its own state, and publishes
 * an immutable view after each event, which any thread may read with {@link #current()}.
 */
final class RunViewFold implements EngineListener {

    /** How many events the view keeps for an events pane. */
    static final int RECENT = 500;

    private final String title;
    private final Map<String, MutableStep> steps = new LinkedHashMap<>();
    private final Deque<EngineEvent> recent = new ArrayDeque<>();
    private final Map<String, CriterionEvent> changes = new LinkedHashMap<>();
    private final String runbookId;
    private final Instant windowEnd;
    private String runId;
    private String database;
    private String holder;
    private Instant openedAt;
    private boolean resumed;
    private RunState state = RunState.PENDING;
    private String stateReason;
    private EngineEvent.StateChanged.Cause stateCause = EngineEvent.StateChanged.Cause.START;
    private String stateBy;
    private Instant stateSince;
    private String stopping;
    private boolean aborting;
    private String currentStep;
    private BackfillProgress progress;
    private String progressStep;
    private List<CriterionStatus> criteria = List.of();
    private Snapshot snapshot;
    private Map<String, SignalReading> readings = Map.of();
    /** The source of a second approver's approval. */
    static final String SECOND_APPROVER = "lockstep approve";

    private Question question;
    private EngineEvent.ApprovalAwaited awaiting;
    private Diagnosis failure;
    private RunView.Outcome outcome;
    private volatile RunView view;

    /**
     * @param plan the steps to show before any has run, with their estimates
     * @param title the runbook's title
     */
    public RunViewFold(RunPlan plan, String title) {
        this.runbookId = plan.runbookId();
        this.windowEnd = plan.windowEnd();
        this.title = title;
        for (StepPlan step : plan.steps()) {
            steps.put(
                    step.stepId(),
                    new MutableStep(
                            step.stepId(), step.kind(), plan.stepEstimates().get(step.stepId())));
        }
        this.view = build();
    }

    /** The latest view; safe from any thread. */
    public RunView current() {
        return view;
    }

    @Override
    public synchronized void on(EngineEvent event) {
        apply(event);
        if (keeps(event)) {
            recent.addLast(event);
            while (recent.size() > RECENT) {
                recent.removeFirst();
            }
        }
        view = build();
    }

    /** Events worth a line in an events pane: not every batch, sample and observation. */
    private static boolean keeps(EngineEvent event) {
        return !(event instanceof EngineEvent.BatchCommitted
                || event instanceof EngineEvent.Sampled
                || event instanceof EngineEvent.Observed
                || event instanceof EngineEvent.ProgressReported
                || event instanceof EngineEvent.QuestionAsked
                || event instanceof EngineEvent.QuestionClosed);
    }

    private void apply(EngineEvent event) {
        if (event instanceof EngineEvent.RunOpened opened) {
            runId = opened.runId();
            database = opened.database();
            holder = opened.holder();
            openedAt = opened.at();
            resumed = opened.resumed();
        } else if (event instanceof EngineEvent.StateChanged changedState) {
            state = changedState.to();
            stateReason = changedState.reason();
            stateCause = changedState.cause();
            stateBy = changedState.by();
            stateSince = changedState.at();
        } else if (event instanceof EngineEvent.StepStarted started) {
            MutableStep step = step(started.step(), started.kind());
            step.status = RunView.StepStatus.RUNNING;
            step.attempt = started.attempt();
            step.startedAt = started.at();
            step.endedAt = null;
            step.message = null;
            currentStep = started.step();
            if (failure != null && failure.failure().stepId().equals(started.step())) {
                failure = null;
            }
        } else if (event instanceof EngineEvent.StepEnded ended) {
            MutableStep step = step(ended.step(), null);
            step.status = switch (ended.result()) {
                case "ok" -> RunView.StepStatus.OK;
                case "skipped" -> RunView.StepStatus.SKIPPED;
                case "stopped" -> RunView.StepStatus.STOPPED;
                case "lost" -> RunView.StepStatus.IN_DOUBT;
                default -> RunView.StepStatus.RETRYING;
            };
            step.attempt = Math.max(step.attempt, ended.attempt());
            step.endedAt = ended.at();
            step.elapsed = Duration.ofMillis(ended.durationMs());
            step.rows = ended.rows();
            step.message = ended.message();
            if (awaiting != null && awaiting.step().equals(ended.step())) {
                awaiting = null;
            }
            if (Objects.equals(currentStep, ended.step()) && step.status != RunView.StepStatus.RETRYING) {
                // a failed attempt keeps its step current: a retry, or the run's end, says what comes of it
                currentStep = null;
            }
        } else if (event instanceof EngineEvent.FailureFound found) {
            failure = found.diagnosis();
            if (!LedgerGate.isStartFinding(found.step())) {
                // a ledger finding before the first step is no step of the plan: the dialog shows it
                MutableStep step =
                        step(found.step(), found.diagnosis().failure().stepKind());
                step.status = RunView.StepStatus.FAILED;
                step.message = found.diagnosis().failure().failureClass().id() + ": "
                        + found.diagnosis().failure().message();
            }
        } else if (event instanceof EngineEvent.DecisionMade decision
                && failure != null
                && failure.failure().stepId().equals(decision.step())) {
            // decided: what was chosen runs now (a repair step, say), or the run ends; nothing waits any more
            failure = null;
        } else if (event instanceof EngineEvent.StepSettled settled) {
            MutableStep step = step(settled.step(), null);
            step.status = settled.how() == EngineEvent.StepSettled.Settlement.ROLLED_FORWARD
                    ? RunView.StepStatus.ROLLED_FORWARD
                    : RunView.StepStatus.LEFT_OUT;
            step.message = settled.detail();
            if (failure != null && failure.failure().stepId().equals(settled.step())) {
                failure = null;
            }
            if (Objects.equals(currentStep, settled.step())) {
                currentStep = null;
            }
        } else if (event instanceof EngineEvent.Verified verified) {
            step(verified.step(), null).check = verified;
        } else if (event instanceof EngineEvent.ProgressReported reported) {
            progress = reported.progress();
            progressStep = reported.step();
        } else if (event instanceof EngineEvent.Breach breach) {
            changes.put(breach.criterion(), breach.change());
        } else if (event instanceof EngineEvent.Clear clear) {
            changes.put(clear.criterion(), clear.change());
        } else if (event instanceof EngineEvent.Observed observed) {
            criteria = observed.criteria();
            snapshot = observed.snapshot() != null ? observed.snapshot() : snapshot;
            readings = observed.readings();
        } else if (event instanceof EngineEvent.QuestionAsked asked) {
            question = asked.question();
        } else if (event instanceof EngineEvent.QuestionClosed closed) {
            if (question != null && question.id().equals(closed.questionId())) {
                question = null;
            }
        } else if (event instanceof EngineEvent.ApprovalAwaited awaited) {
            awaiting = awaited;
        } else if (event instanceof EngineEvent.ApprovalGiven given
                && awaiting != null
                && awaiting.step().equals(given.step())
                && given.source().equals(SECOND_APPROVER)) {
            awaiting = null;
        } else if (event instanceof EngineEvent.StopRequested stop) {
            stopping = stop.reason();
            aborting = aborting || stop.abort();
        } else if (event instanceof EngineEvent.RunClosed closed) {
            outcome = new RunView.Outcome(closed.state(), closed.exitCode(), closed.message());
            state = closed.state();
            question = null;
            awaiting = null;
            if (runId == null) {
                runId = closed.runId();
            }
            for (MutableStep step : steps.values()) {
                if (step.status == RunView.StepStatus.RUNNING || step.status == RunView.StepStatus.RETRYING) {
                    step.status =
                            closed.state() == RunState.STOPPED ? RunView.StepStatus.STOPPED : RunView.StepStatus.FAILED;
                    if (step.endedAt == null) {
                        step.endedAt = closed.at();
                    }
                }
            }
        }
    }

    /** The step, added at the end when the plan did not name it (a recovery step). */
    private MutableStep step(String id, String kind) {
        return steps.computeIfAbsent(id, unknown -> new MutableStep(unknown, kind == null ? "?" : kind, null));
    }

    private RunView build() {
        List<RunView.StepView> stepViews = new ArrayList<>(steps.size());
        for (MutableStep step : steps.values()) {
            stepViews.add(step.view());
        }
        return new RunView(
                runbookId,
                title,
                runId,
                database,
                holder,
                openedAt,
                resumed,
                windowEnd,
                state,
                stateReason,
                stateCause,
                stateBy,
                stateSince,
                stopping,
                aborting,
                stepViews,
                currentStep,
                progress,
                progressStep,
                criteria,
                changes,
                snapshot,
                readings,
                question,
                failure,
                new ArrayList<>(recent),
                outcome,
                awaiting);
    }

    private static final class MutableStep {
        final String id;
        final String kind;
        final Duration estimate;
        RunView.StepStatus status = RunView.StepStatus.PENDING;
        int attempt;
        Instant startedAt;
        Instant endedAt;
        Duration elapsed;
        Long rows;
        String message;
        EngineEvent.Verified check;

        MutableStep(String id, String kind, Duration estimate) {
            this.id = id;
            this.kind = kind;
            this.estimate = estimate;
        }

        RunView.StepView view() {
            return new RunView.StepView(
                    id, kind, status, attempt, startedAt, endedAt, estimate, elapsed, rows, message, check);
        }
    }
}
