package dev.lockstep.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.ExitCode;
import dev.lockstep.probe.MigrationLedger;
import dev.lockstep.recovery.Applied;
import dev.lockstep.recovery.Choice;
import dev.lockstep.recovery.Decision;
import dev.lockstep.recovery.Declared;
import dev.lockstep.recovery.Diagnosis;
import dev.lockstep.recovery.Fact;
import dev.lockstep.recovery.FailedAttempt;
import dev.lockstep.recovery.Failure;
import dev.lockstep.recovery.FailureClass;
import dev.lockstep.recovery.Inspector;
import dev.lockstep.recovery.Leftover;
import dev.lockstep.recovery.Offer;
import dev.lockstep.runbook.OnFailure;
import dev.lockstep.runbook.sql.SqlLexer;
import dev.lockstep.runbook.sql.SqlStatement;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What happens when a step fails (docs/recovery.md). The failure is classified from the error and from the
 * database as it is after it, recorded (the timeline's {@code failure} record, the run row for {@code status}
 * and for a later resume), and decided: by a {@code --decide} given in advance, by the operator at a prompt,
 * or not at all, and then the run ends failed touching nothing more. Only options whose preconditions hold
 * can be chosen; the decision is recorded before it acts, and the option runs through the engine like any
 * step. A recovery step that fails is itself classified and decided.
 */
final class FailureRecovery {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunContext run;
    private final RunPlan plan;
    private final StepExecutor executor;

    FailureRecovery(RunContext run, RunPlan plan, StepExecutor executor) {
        this.run = run;
        this.plan = plan;
        this.executor = executor;
    }

    /**
     * A failure the run row keeps from an earlier process: the failed step's, or a recovery step's that
     * failed while the operator's choice for {@code mainStep} ran.
     */
    record Pending(String mainStep, Failure failure, Choice recovering) {}

    /** The failure a run row keeps, or null when it keeps none (or one this version cannot read). */
    static Pending pending(String failureJson) {
        if (failureJson == null) {
            return null;
        }
        try {
            JsonNode body = JSON.readTree(failureJson);
            Failure failure = Diagnosis.failureOf(body);
            JsonNode recovering = body.path("recovering");
            if (recovering.isObject()) {
                return new Pending(
                        recovering.path("step").asText(),
                        failure,
                        Choice.ofId(recovering.path("option").asText()).orElse(null));
            }
            return new Pending(failure.stepId(), failure, null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Runs a main-flow step; empty when the run goes on after it, else how the run ends. */
    Optional<RunResult> runStep(StepPlan step) throws SQLException {
        return settle(step, null, null, null);
    }

    /**
     * Resumes at the step an earlier process left undecided: asks about its failure (inspected again) before
     * anything runs.
     */
    Optional<RunResult> resume(StepPlan step, Pending pending) throws SQLException {
        run.emit(new EngineEvent.Note(
                Instant.now(),
                step.stepId(),
                "step " + pending.failure().stepId() + " failed in an earlier process of this run and was not decided"
                        + " on: it is not run again before a decision"));
        if (pending.recovering() == null || pending.failure().stepId().equals(step.stepId())) {
            return settle(step, null, null, pending.failure());
        }
        Optional<StepPlan> recoveryStep = plan.step(pending.failure().stepId());
        if (recoveryStep.isEmpty()) {
            return settle(step, null, null, pending.failure());
        }
        Optional<RunResult> end = settle(recoveryStep.get(), step, pending.recovering(), pending.failure());
        if (end.isPresent()) {
            return end;
        }
        return afterRecoveryStep(step, pending.recovering(), recoveryStep.get().stepId());
    }

    /**
     * Runs {@code step} until it completes or a decision settles it. {@code forStep} and {@code choice} name
     * what a recovery step runs for; null for a main-flow step. {@code carried} is a failure to decide on
     * before running anything.
     */
    private Optional<RunResult> settle(StepPlan step, StepPlan forStep, Choice choice, Failure carried)
            throws SQLException {
        boolean recoveryStep = forStep != null || plan.isRecoveryStep(step.stepId());
        Failure failure = carried == null ? null : Inspector.reinspect(run.connection(), carried, context(step));
        while (true) {
            if (failure == null) {
                try {
                    if (recoveryStep) {
                        executor.executeAgain(step);
                    } else {
                        executor.execute(step);
                    }
                    return Optional.empty();
                } catch (StepFailed failed) {
                    failure = classify(step, failed.attempt(), failed.getMessage());
                } catch (SQLException e) {
                    if (SqlStates.connectionLost(e)) {
                        throw e;
                    }
                    failure = classify(step, attemptOf(step, e), e.getMessage());
                }
            }
            if (step instanceof StepPlan.Check check
                    && check.precondition()
                    && failure.failureClass() == FailureClass.POST_CHECK_FAILED) {
                // R3: not a failure to repair but a run that may not start yet; nothing has changed
                return Optional.of(new RunResult(
                        run.runId,
                        RunState.STOPPED,
                        ExitCode.STOPPED,
                        "precondition " + step.stepId() + " does not hold (" + failure.message()
                                + "): nothing was changed; run the same command again once it holds"));
            }
            Diagnosis diagnosis = Diagnosis.of(failure, declared(step, recoveryStep));
            found(diagnosis, forStep, choice);
            Decision decision = decide(step, diagnosis);
            switch (decision.choice()) {
                case RETRY -> {
                    decided();
                    failure = null;
                }
                case RECHECK -> failure = Inspector.reinspect(run.connection(), failure, context(step));
                case REPAIR -> {
                    decided();
                    Optional<RunResult> end = repair(step, diagnosis);
                    if (end.isPresent()) {
                        return end;
                    }
                    failure = null;
                }
                case ROLL_FORWARD, ROLLBACK -> {
                    decided();
                    OnFailure onFailure = plan.onFailure(step.stepId());
                    String target = (decision.choice() == Choice.ROLL_FORWARD
                                    ? onFailure.rollForward()
                                    : onFailure.rollback())
                            .orElseThrow();
                    StepPlan recovery = plan.step(target).orElseThrow();
                    Optional<RunResult> end = settle(recovery, step, decision.choice(), null);
                    return end.isPresent() ? end : afterRecoveryStep(step, decision.choice(), target);
                }
                case SKIP -> {
                    settled(
                            step,
                            EngineEvent.StepSettled.Settlement.LEFT_OUT,
                            "left out by decision: the runbook" + " marks step " + step.stepId() + " critical: false");
                    return Optional.empty();
                }
                case ABANDON -> {
                    return Optional.of(new RunResult(
                            run.runId,
                            RunState.ABANDONED,
                            ExitCode.STEP_FAILED,
                            "run " + run.runId + " abandoned at the failure of step " + step.stepId() + " ("
                                    + failure.failureClass().id() + "); nothing more ran; a new run of runbook "
                                    + plan.runbookId() + " can start"));
                }
                case ABORT -> {
                    return Optional.of(new RunResult(
                            run.runId,
                            RunState.STOPPED,
                            ExitCode.STOPPED,
                            "stopped at the failure of step " + step.stepId() + " ("
                                    + failure.failureClass().id()
                                    + "); nothing more ran; run the same command again to decide"));
                }
                default -> throw new IllegalStateException("no option " + decision.choice());
            }
        }
    }

    /** What follows once the recovery step chosen for {@code step} completed. */
    private Optional<RunResult> afterRecoveryStep(StepPlan step, Choice choice, String recoveryStep)
            throws SQLException {
        switch (choice) {
            case ROLL_FORWARD -> {
                settled(
                        step,
                        EngineEvent.StepSettled.Settlement.ROLLED_FORWARD,
                        "rolled forward by recovery step " + recoveryStep + " in place of step " + step.stepId());
                return Optional.empty();
            }
            case ROLLBACK -> {
                return Optional.of(new RunResult(
                        run.runId,
                        RunState.ROLLED_BACK,
                        ExitCode.STEP_FAILED,
                        "run " + run.runId + " rolled back by recovery step " + recoveryStep + " after step "
                                + step.stepId() + " failed; a new run of runbook " + plan.runbookId() + " can start"));
            }
            default -> {
                // a repair: the failed step runs again
                return settle(step, null, null, null);
            }
        }
    }

    /** The built-in repairs of what the step left behind, then the declared repair step. */
    private Optional<RunResult> repair(StepPlan step, Diagnosis diagnosis) throws SQLException {
        int number = 0;
        for (Leftover leftover : diagnosis.failure().leftovers()) {
            number++;
            StepPlan.Sql builtIn = new StepPlan.Sql(
                    step.stepId() + ".repair" + (diagnosis.failure().leftovers().size() > 1 ? number : ""),
                    leftover.repairSql(),
                    Duration.ofSeconds(2),
                    Duration.ZERO,
                    3,
                    new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5)),
                    Set.of(SqlStates.LOCK_NOT_AVAILABLE),
                    null,
                    null);
            Optional<RunResult> end = settle(builtIn, step, Choice.REPAIR, null);
            if (end.isPresent()) {
                return end;
            }
        }
        Optional<String> declared = plan.onFailure(step.stepId()).repair();
        if (declared.isPresent()) {
            return settle(plan.step(declared.get()).orElseThrow(), step, Choice.REPAIR, null);
        }
        return Optional.empty();
    }

    private Declared declared(StepPlan step, boolean recoveryStep) {
        if (recoveryStep) {
            return new Declared(Optional.empty(), Optional.empty(), Optional.empty(), true, crossedBoundary(), true);
        }
        OnFailure onFailure = plan.onFailure(step.stepId());
        return new Declared(
                onFailure.repair(),
                onFailure.rollForward(),
                onFailure.rollback(),
                !plan.optional().contains(step.stepId()),
                crossedBoundary(),
                false);
    }

    /** The first rollback boundary step that completed in this run, if any. */
    private Optional<String> crossedBoundary() {
        try {
            Set<String> completed = run.ledger.completed(run.connection(), run.runId);
            for (StepPlan step : plan.steps()) {
                if (plan.boundaries().contains(step.stepId()) && completed.contains(step.stepId())) {
                    return Optional.of(step.stepId());
                }
            }
        } catch (SQLException e) {
            // unknown: rollback is offered only when the boundary is known not to be crossed
            return Optional.of("(unknown: the ledger could not be read)");
        }
        return Optional.empty();
    }

    private Failure classify(StepPlan step, FailedAttempt attempt, String message) {
        if (attempt == null) {
            return new Failure(
                    step.stepId(),
                    step.kind(),
                    0,
                    FailureClass.OTHER,
                    null,
                    message,
                    Applied.NOTHING,
                    List.of(),
                    List.of());
        }
        Failure failure = Inspector.inspect(run.connection(), attempt);
        return step instanceof StepPlan.Ledger ledger ? withLedger(ledger, failure) : failure;
    }

    /**
     * A failed {@code ledger} step with the ledger's facts; {@code ledger-failed} when it records failed
     * entries, else as classified ({@code post-check-failed}: not there, or at another version).
     */
    private Failure withLedger(StepPlan.Ledger step, Failure failure) {
        List<MigrationLedger> found;
        try {
            found = LedgerGate.matching(LedgerGate.read(run.connection()), step.tool(), step.schema());
        } catch (SQLException e) {
            return failure;
        }
        if (found.size() != 1) {
            return failure;
        }
        List<Fact> facts = new ArrayList<>(failure.facts());
        facts.addAll(LedgerGate.facts(found.get(0)));
        return new Failure(
                failure.stepId(),
                failure.stepKind(),
                failure.attempt(),
                found.get(0).hasFailed() ? FailureClass.LEDGER_FAILED : failure.failureClass(),
                failure.sqlState(),
                failure.message(),
                failure.applied(),
                facts,
                failure.leftovers());
    }

    /** An error that escaped the step's own handling (a ledger write, a query): classified from the error. */
    private FailedAttempt attemptOf(StepPlan step, SQLException error) {
        FailedAttempt context = context(step);
        return new FailedAttempt(
                step.stepId(),
                step.kind(),
                0,
                context.statements(),
                true,
                -1,
                0,
                error,
                null,
                null,
                null,
                Duration.ZERO,
                context.relation(),
                null,
                0);
    }

    /** The step's statements and table, for inspecting the database again. */
    private static FailedAttempt context(StepPlan step) {
        List<SqlStatement> statements = List.of();
        String relation = null;
        boolean transactional = true;
        if (step instanceof StepPlan.Sql sql) {
            statements = SqlLexer.statements(sql.sql());
            transactional = statements.stream().noneMatch(SqlStatement::refusesTransaction);
        } else if (step instanceof StepPlan.Check check) {
            statements = SqlLexer.statements(check.sql());
        } else if (step instanceof StepPlan.Wait wait) {
            statements = SqlLexer.statements(wait.condition().sql());
        } else if (step instanceof StepPlan.Backfill backfill) {
            statements = SqlLexer.statements(backfill.plan().sql());
            relation = backfill.plan().table();
        }
        return new FailedAttempt(
                step.stepId(),
                step.kind(),
                0,
                statements,
                transactional,
                -1,
                0,
                null,
                null,
                null,
                null,
                Duration.ZERO,
                relation,
                null,
                0);
    }

    /** Records the failure: the timeline (through the event) and the run row, for status and a resume. */
    private void found(Diagnosis diagnosis, StepPlan forStep, Choice choice) throws SQLException {
        Map<String, Object> body = new LinkedHashMap<>(diagnosis.body());
        if (forStep != null) {
            Map<String, Object> recovering = new LinkedHashMap<>();
            recovering.put("step", forStep.stepId());
            recovering.put("option", choice.id());
            body.put("recovering", recovering);
        }
        run.emit(new EngineEvent.FailureFound(Instant.now(), diagnosis));
        Connection connection = run.connection();
        connection.setAutoCommit(true);
        run.runs.failure(connection, run.runId, Json.write(body));
    }

    /** A decision was taken and is about to act: the run row no longer keeps the failure. */
    private void decided() throws SQLException {
        Connection connection = run.connection();
        connection.setAutoCommit(true);
        run.runs.failure(connection, run.runId, null);
    }

    /** The failed step is settled without succeeding; the ledger and the run row change together. */
    private void settled(StepPlan step, EngineEvent.StepSettled.Settlement how, String detail) throws SQLException {
        Connection connection = run.connection();
        connection.setAutoCommit(false);
        try {
            run.ledger.settle(connection, run.runId, step.stepId(), detail);
            run.runs.failure(connection, run.runId, null);
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
        run.emit(new EngineEvent.StepSettled(Instant.now(), step.stepId(), how, detail));
    }

    /**
     * The decision about a failure: a {@code --decide} for the step (used once), else the operator's answer.
     * Unattended without one, or with one whose option is not available, the run ends failed.
     */
    private Decision decide(StepPlan step, Diagnosis diagnosis) {
        Failure failure = diagnosis.failure();
        // a --decide that answers the step's other questions (applied, continue, throttle) is left for them
        Decision preset =
                run.decided.take(step.stepId(), AdvanceDecisions.FAILURE).orElse(null);
        if (preset != null) {
            Offer offer = diagnosis
                    .offer(preset.choice())
                    .orElse(new Offer(preset.choice(), false, "not an option for a failed step", ""));
            if (preset.choice() == Choice.RECHECK || !offer.available()) {
                throw new FailureUndecided("step " + step.stepId() + " failed ("
                        + failure.failureClass().id() + "): "
                        + failure.message() + "; --decide " + step.stepId() + "="
                        + preset.choice().id()
                        + " was not taken: "
                        + (preset.choice() == Choice.RECHECK
                                ? "recheck needs an operator at the" + " screen"
                                : offer.why())
                        + "; nothing more ran (available: " + available(diagnosis)
                        + ")");
            }
            run.emit(new EngineEvent.DecisionMade(
                    Instant.now(),
                    step.stepId(),
                    run.holder.userAtHost(),
                    preset.choice().id(),
                    preset.reason(),
                    "given with --decide"));
            return preset;
        }
        if (!run.operator.attended()) {
            throw new FailureUndecided("step " + step.stepId() + " failed ("
                    + failure.failureClass().id() + "): "
                    + failure.message() + "; nobody is attending to decide, so nothing more ran: run again with"
                    + " --decide " + step.stepId() + "=OPTION:REASON (available: " + available(diagnosis) + ")");
        }
        var answer = run.askAboutFailure(
                diagnosis,
                "step " + step.stepId() + " failed: " + failure.failureClass().id() + ". " + failure.explanation(),
                choices(diagnosis));
        if (answer.isEmpty()) {
            run.checkStop();
            throw new FailureUndecided("step " + step.stepId() + " failed ("
                    + failure.failureClass().id() + "): "
                    + failure.message() + "; no decision was taken, so nothing more ran; running the same command"
                    + " again asks again");
        }
        Choice choice = Choice.ofId(answer.get().choice())
                .filter(chosen -> diagnosis.offer(chosen).map(Offer::available).orElse(false))
                .orElseThrow(() -> new IllegalStateException(
                        "the operator chose '" + answer.get().choice() + "', which is not an available option"));
        run.emit(new EngineEvent.DecisionMade(
                Instant.now(),
                step.stepId(),
                answer.get().actor(),
                choice.id(),
                answer.get().reason()));
        return new Decision(choice, answer.get().reason());
    }

    private static String available(Diagnosis diagnosis) {
        return diagnosis.available().stream()
                .map(offer -> offer.choice().id())
                .filter(id -> !id.equals(Choice.RECHECK.id()))
                .collect(Collectors.joining(", "));
    }

    /** The diagnosis's options as the question's choices: each with what it does, whether it is open and why. */
    static List<Question.Choice> choices(Diagnosis diagnosis) {
        return diagnosis.offers().stream()
                .map(offer -> new Question.Choice(
                        offer.choice().id(),
                        offer.effect().isEmpty() ? offer.choice().id() : offer.effect(),
                        offer.available(),
                        offer.why()))
                .toList();
    }
}
