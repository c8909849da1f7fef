package dev.lockstep.engine;

import dev.lockstep.probe.MigrationLedger;
import dev.lockstep.runbook.ApprovalStep;
import dev.lockstep.runbook.BackfillStep;
import dev.lockstep.runbook.ChangeClass;
import dev.lockstep.runbook.CheckStep;
import dev.lockstep.runbook.Evidence;
import dev.lockstep.runbook.Execution;
import dev.lockstep.runbook.Expectation;
import dev.lockstep.runbook.LedgerStep;
import dev.lockstep.runbook.NoteStep;
import dev.lockstep.runbook.OnFailure;
import dev.lockstep.runbook.Phase;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.SqlStep;
import dev.lockstep.runbook.Step;
import dev.lockstep.runbook.Value;
import dev.lockstep.runbook.WaitStep;
import dev.lockstep.runbook.sql.SqlLexer;
import dev.lockstep.runbook.sql.SqlStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a bound runbook into the engine's plan, applying the engine's defaults: lock_timeout 2 s (the
 * runbook's default), no statement timeout for DDL/DML steps unless the runbook sets one (the lock timeout
 * is what protects the application), 30 s for checks and for each backfill batch.
 */
final class RunPlans {

    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);
    static final Duration BATCH_TIMEOUT = Duration.ofSeconds(30);
    static final int BACKFILL_MIN = 100;
    static final int BACKFILL_MAX = 50_000;

    private RunPlans() {}

    public static RunPlan of(Runbook runbook, Instant startedAt) {
        Instant windowEnd = runbook.window()
                .flatMap(window -> window.endsAt().map(at -> at.toInstant()).or(() -> window.duration()
                        .map(duration -> startedAt.plus(duration.get()))))
                .orElse(null);
        String gate = secondApprovalGate(runbook);
        List<StepPlan> steps = runbook.steps().stream()
                .map(step -> step.id().equals(gate)
                        ? twoPerson((StepPlan.Approval) plan(step, windowEnd))
                        : plan(step, windowEnd))
                .toList();
        Map<String, Duration> estimates = new LinkedHashMap<>();
        for (Step step : runbook.steps()) {
            execution(step)
                    .flatMap(Execution::estimate)
                    .ifPresent(estimate -> estimates.put(step.id(), estimate.get()));
        }
        List<StepPlan> recovery =
                runbook.recovery().stream().map(step -> plan(step, windowEnd)).toList();
        Map<String, OnFailure> onFailure = new LinkedHashMap<>();
        Set<String> boundaries = new HashSet<>();
        Set<String> optional = new HashSet<>();
        Map<String, Evidence> evidence = new LinkedHashMap<>();
        for (Step step : runbook.steps()) {
            onFailure.put(step.id(), step.onFailure());
            if (step.marks().rollbackBoundary() || destroysInContract(runbook, step)) {
                boundaries.add(step.id());
            }
            if (!step.marks().critical()) {
                optional.add(step.id());
            }
            step.marks().evidence().ifPresent(proves -> evidence.put(step.id(), proves));
        }
        return new RunPlan(
                runbook.id(),
                runbook.sha256(),
                windowEnd,
                steps,
                estimates,
                recovery,
                onFailure,
                boundaries,
                optional,
                evidence,
                runbook.stepFingerprints());
    }

    /**
     * R5 (irreversible semantics): the approval step nearest before the first destructive step needs a second
     * approver, another OS user; null for other classes, or when no approval precedes a destructive step.
     */
    static String secondApprovalGate(Runbook runbook) {
        if (runbook.change() == null || runbook.change().changeClass() != ChangeClass.R5) {
            return null;
        }
        String lastApproval = null;
        for (Step step : runbook.steps()) {
            if (step instanceof ApprovalStep) {
                lastApproval = step.id();
            }
            String sql = step instanceof SqlStep sqlStep
                    ? sqlStep.sql()
                    : step instanceof BackfillStep backfill ? backfill.sql() : null;
            if (sql != null && SqlLexer.statements(sql).stream().anyMatch(SqlStatement::isDestructive)) {
                return lastApproval;
            }
        }
        return null;
    }

    private static StepPlan.Approval twoPerson(StepPlan.Approval approval) {
        return new StepPlan.Approval(approval.stepId(), approval.prompt(), approval.confirmText(), true);
    }

    /** A contract-phase step that drops or deletes: once it completed, what it removed is gone. */
    private static boolean destroysInContract(Runbook runbook, Step step) {
        Optional<Phase> phase =
                step.phase().or(() -> Optional.ofNullable(runbook.change().phase()));
        if (phase.isEmpty() || phase.get() != Phase.CONTRACT) {
            return false;
        }
        String sql = step instanceof SqlStep sqlStep ? sqlStep.sql() : null;
        return sql != null && SqlLexer.statements(sql).stream().anyMatch(SqlStatement::isDestructive);
    }

    private static Optional<Execution> execution(Step step) {
        if (step instanceof SqlStep sql) {
            return Optional.of(sql.execution());
        }
        if (step instanceof CheckStep check) {
            return Optional.of(check.execution());
        }
        if (step instanceof BackfillStep backfill) {
            return Optional.of(backfill.execution());
        }
        return Optional.empty();
    }

    private static StepPlan plan(Step step, Instant windowEnd) {
        if (step instanceof SqlStep sql) {
            Execution execution = sql.execution();
            return new StepPlan.Sql(
                    sql.id(),
                    sql.sql(),
                    execution.lockTimeout().get(),
                    timeout(execution, Duration.ZERO),
                    Math.max(1, execution.retry().attempts().get()),
                    new Backoff(
                            execution.retry().backoffMin(), execution.retry().backoffMax()),
                    new HashSet<>(execution.retry().codes()),
                    sql.expectRows()
                            .map(bounds -> new StepPlan.RowRange(
                                    bounds.min().map(Value::get).orElse(null),
                                    bounds.max().map(Value::get).orElse(null)))
                            .orElse(null),
                    sql.verify()
                            .map(verify -> check(sql.id(), verify.sql(), verify.expect(), CHECK_TIMEOUT))
                            .orElse(null));
        }
        if (step instanceof CheckStep check) {
            return new StepPlan.Check(
                    check.id(),
                    check.sql(),
                    check.expect(),
                    timeout(check.execution(), CHECK_TIMEOUT),
                    check.marks().precondition());
        }
        if (step instanceof WaitStep wait) {
            return new StepPlan.Wait(
                    wait.id(),
                    check(wait.id(), wait.sql(), wait.expect(), CHECK_TIMEOUT),
                    wait.interval().get(),
                    wait.timeout().get());
        }
        if (step instanceof ApprovalStep approval) {
            return new StepPlan.Approval(
                    approval.id(),
                    approval.prompt(),
                    approval.confirm() == ApprovalStep.Confirm.TYPED ? "typed" : null);
        }
        if (step instanceof NoteStep note) {
            return new StepPlan.Note(note.id(), note.text());
        }
        if (step instanceof LedgerStep ledger) {
            return new StepPlan.Ledger(
                    ledger.id(),
                    MigrationLedger.Tool.ofId(ledger.tool()).orElseThrow(),
                    ledger.schema().orElse(null),
                    ledger.expectVersion().orElse(null),
                    ledger.acknowledge().orElse(null));
        }
        BackfillStep backfill = (BackfillStep) step;
        BackfillStep.Batch batch = backfill.batch();
        int size = batch.size().get();
        Optional<Duration> target = batch.target().map(Value::get);
        // a fixed size still shrinks under a throttle or after a statement timeout, down to BACKFILL_MIN
        int min = batch.min().map(Value::get).orElse(Math.min(size, BACKFILL_MIN));
        int max = batch.max().map(Value::get).orElse(target.isPresent() ? Math.max(size, BACKFILL_MAX) : size);
        Execution execution = backfill.execution();
        return new StepPlan.Backfill(
                new BackfillPlan(
                        backfill.id(),
                        backfill.table(),
                        backfill.key(),
                        backfill.sql(),
                        size,
                        target.orElse(null),
                        min,
                        max,
                        batch.pause().get(),
                        timeout(execution, BATCH_TIMEOUT),
                        execution.lockTimeout().get(),
                        Math.max(1, execution.retry().attempts().get()),
                        new Backoff(
                                execution.retry().backoffMin(),
                                execution.retry().backoffMax()),
                        backfill.estimateRows().map(Value::get).orElse(null),
                        windowEnd),
                backfill.verify()
                        .map(verify -> check(backfill.id(), verify.sql(), verify.expect(), CHECK_TIMEOUT))
                        .orElse(null));
    }

    private static StepPlan.Check check(String stepId, String sql, Expectation expectation, Duration timeout) {
        return new StepPlan.Check(stepId, sql, expectation, timeout);
    }

    private static Duration timeout(Execution execution, Duration fallback) {
        return execution.timeout().map(Value::get).orElse(fallback);
    }
}
