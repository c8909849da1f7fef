package dev.lockstep.runbook.internal;

import dev.lockstep.Suggestions;
import dev.lockstep.runbook.ApprovalStep;
import dev.lockstep.runbook.BackfillStep;
import dev.lockstep.runbook.Change;
import dev.lockstep.runbook.CheckStep;
import dev.lockstep.runbook.Evidence;
import dev.lockstep.runbook.NoteStep;
import dev.lockstep.runbook.OnFailure;
import dev.lockstep.runbook.Phase;
import dev.lockstep.runbook.SqlStep;
import dev.lockstep.runbook.Step;
import dev.lockstep.runbook.StopCriterion;
import dev.lockstep.runbook.Verify;
import dev.lockstep.runbook.WaitStep;
import dev.lockstep.runbook.sql.SqlLexer;
import dev.lockstep.runbook.sql.SqlStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The rules that look across fields and steps (docs/runbook-format.md, "Validation rules"). Each reports
 * through the builder, at the step or value that breaks it.
 */
final class RunbookRules {
    private final RunbookBuilder builder;
    private final Optional<Change> change;
    private final List<StopCriterion> criteria;
    private final List<Step> steps;
    private final List<Step> recovery;

    RunbookRules(
            RunbookBuilder builder,
            Optional<Change> change,
            List<StopCriterion> criteria,
            List<Step> steps,
            List<Step> recovery) {
        this.builder = builder;
        this.change = change;
        this.criteria = criteria;
        this.steps = steps;
        this.recovery = recovery;
    }

    void check() {
        uniqueStepIds();
        uniqueCriterionIds();
        onFailureReferences();
        rollbacksBeforeTheBoundary();
        for (Step step : all()) {
            dmlIsVerified(step);
            readOnlyQueries(step);
            transactionBlocks(step);
            backfillRanges(step);
        }
        approvalBeforeDestruction();
        expandAndContractApart();
        preconditionsFirst();
    }

    /**
     * R3: a contract removes what old application versions still need, so a contract-phase runbook declares
     * at least one precondition check (that no such version still runs), and a precondition is checked before
     * anything changes: it comes before the first step that is not a check, a note or an approval.
     */
    private void preconditionsFirst() {
        Step firstChange = steps.stream()
                .filter(step ->
                        !(step instanceof CheckStep || step instanceof NoteStep || step instanceof ApprovalStep))
                .findFirst()
                .orElse(null);
        boolean declared = false;
        boolean changed = false;
        for (Step step : steps) {
            changed |= step == firstChange;
            if (step instanceof CheckStep check && check.marks().precondition()) {
                declared = true;
                if (changed) {
                    builder.problem(
                            builder.source(step).at("precondition"),
                            "precondition '" + step.id() + "' comes after step '" + firstChange.id()
                                    + "' changes something: a precondition is checked before anything changes");
                }
            }
        }
        boolean contract = change.isPresent()
                && steps.stream()
                        .anyMatch(step -> step.phase().orElse(change.get().phase()) == Phase.CONTRACT);
        if (contract && !declared) {
            builder.problem(
                    builder.phasePosition(),
                    "a contract-phase runbook needs a precondition: a check step with 'precondition: true' before the"
                            + " first change that fails while an application version that needs the old shape still"
                            + " runs (the contract removes what that version reads)");
        }
    }

    private List<Step> all() {
        return Stream.concat(steps.stream(), recovery.stream()).toList();
    }

    /** Main and recovery steps share one namespace: on_failure names a step by id alone. */
    private void uniqueStepIds() {
        Map<String, Step> seen = new HashMap<>();
        for (Step step : all()) {
            Step first = seen.putIfAbsent(step.id(), step);
            if (first != null) {
                builder.problem(
                        builder.source(step).idPosition(),
                        "duplicate step id '" + step.id() + "' (first at line "
                                + builder.source(first).idPosition().line()
                                + "); main and recovery steps share one set of ids");
            }
        }
    }

    private void uniqueCriterionIds() {
        Map<String, Integer> seen = new HashMap<>();
        for (StopCriterion criterion : criteria) {
            if (seen.merge(criterion.id(), 1, Integer::sum) == 2) {
                builder.problem(builder.stopCriteriaPosition(), "duplicate stop criterion id '" + criterion.id() + "'");
            }
        }
    }

    private void onFailureReferences() {
        for (Step step : all()) {
            OnFailure onFailure = step.onFailure();
            reference(step, "repair", onFailure.repair());
            reference(step, "roll_forward", onFailure.rollForward());
            reference(step, "rollback", onFailure.rollback());
        }
    }

    private void reference(Step step, String path, Optional<String> target) {
        if (target.isEmpty()) {
            return;
        }
        String id = target.get();
        var position = builder.source(step).at("on_failure");
        if (recovery.stream().anyMatch(candidate -> candidate.id().equals(id))) {
            return;
        }
        if (steps.stream().anyMatch(candidate -> candidate.id().equals(id))) {
            builder.problem(
                    position,
                    "on_failure " + path + " names '" + id
                            + "', a main-flow step: recovery paths are steps under recovery");
            return;
        }
        List<String> ids = recovery.stream().map(Step::id).toList();
        builder.problem(
                position,
                "on_failure " + path + " names step '" + id + "', which does not exist"
                        + Suggestions.didYouMean(id, ids) + (ids.isEmpty() ? "; declare it under recovery" : ""));
    }

    /**
     * A rollback declared on a step after the rollback boundary could never be offered: once the boundary
     * step has completed, the change is past undoing. Recovery steps are never boundaries (they run only
     * after a failure).
     */
    private void rollbacksBeforeTheBoundary() {
        Step boundary = null;
        for (Step step : steps) {
            if (boundary != null && step.onFailure().rollback().isPresent()) {
                builder.problem(
                        builder.source(step).at("on_failure"),
                        "step '" + step.id() + "' declares a rollback, but it comes after step '" + boundary.id()
                                + "', the rollback boundary: once that step has completed the rollback is never"
                                + " offered; declare a roll_forward instead");
            }
            if (boundary == null && step.marks().rollbackBoundary()) {
                boundary = step;
            }
        }
        for (Step step : recovery) {
            if (step.marks().rollbackBoundary()) {
                builder.problem(
                        builder.source(step).at("rollback_boundary"),
                        "recovery step '" + step.id() + "' is marked rollback_boundary; only main-flow steps are");
            }
        }
    }

    /** A data change without a post-check or a row bound cannot prove it did what was meant. */
    private void dmlIsVerified(Step step) {
        if (step instanceof SqlStep sql
                && SqlLexer.statements(sql.sql()).stream().anyMatch(SqlStatement::isDml)
                && sql.verify().isEmpty()
                && sql.expectRows().isEmpty()) {
            builder.problem(
                    builder.source(step).at("sql"),
                    "step '" + step.id()
                            + "' changes data (INSERT/UPDATE/DELETE/MERGE) without verify or expect_rows: add a post-check or a row bound");
        }
        if (step instanceof BackfillStep backfill && backfill.verify().isEmpty()) {
            builder.problem(
                    builder.source(step).at("sql"),
                    "backfill '" + step.id()
                            + "' changes data without verify: add the check that proves it is complete");
        }
    }

    private void readOnlyQueries(Step step) {
        if (step instanceof CheckStep check) {
            readOnly(step, "sql", check.sql(), "a check");
        } else if (step instanceof WaitStep wait) {
            readOnly(step, "sql", wait.sql(), "a wait");
        }
        verifyOf(step).ifPresent(verify -> readOnly(step, "verify", verify.sql(), "a verify query"));
        if (step instanceof BackfillStep backfill && !backfill.sql().isEmpty()) {
            List<String> placeholders = SqlLexer.statements(backfill.sql()).stream()
                    .flatMap(statement -> statement.placeholders().stream())
                    .toList();
            if (!placeholders.contains("from") || !placeholders.contains("to")) {
                builder.problem(
                        builder.source(step).at("sql"),
                        "backfill '" + step.id()
                                + "' sql must use :from and :to, the bounds of each batch (key > :from AND key <= :to)");
            }
        }
    }

    private static Optional<Verify> verifyOf(Step step) {
        if (step instanceof SqlStep sql) {
            return sql.verify();
        }
        if (step instanceof BackfillStep backfill) {
            return backfill.verify();
        }
        return Optional.empty();
    }

    private void readOnly(Step step, String field, String sql, String what) {
        for (SqlStatement statement : SqlLexer.statements(sql)) {
            if (!statement.isReadOnly()) {
                builder.problem(
                        builder.source(step).at(field),
                        what + " only reads, but step '" + step.id() + "' runs " + statement.head(3)
                                + ": move changes to a sql step");
                return;
            }
        }
    }

    private void transactionBlocks(Step step) {
        if (step instanceof SqlStep sql) {
            List<SqlStatement> statements = SqlLexer.statements(sql.sql());
            Optional<SqlStatement> refusing =
                    statements.stream().filter(SqlStatement::refusesTransaction).findFirst();
            if (refusing.isPresent() && sql.transaction()) {
                builder.problem(
                        builder.source(step).at("sql"),
                        refusing.get().head(3) + " cannot run inside a transaction: set transaction: false on step '"
                                + step.id() + "'");
            }
            if (refusing.isPresent() && statements.size() > 1) {
                builder.problem(
                        builder.source(step).at("sql"),
                        "step '" + step.id() + "': " + refusing.get().head(3)
                                + " must be the only statement of its step, so a failure leaves one thing to inspect");
            }
        }
    }

    private void backfillRanges(Step step) {
        if (!(step instanceof BackfillStep backfill)) {
            return;
        }
        List<SqlStatement> statements = SqlLexer.statements(backfill.sql());
        if (statements.size() > 1 || statements.stream().anyMatch(statement -> !statement.isDml())) {
            builder.problem(
                    builder.source(step).at("sql"),
                    "backfill '" + step.id() + "' sql must be one INSERT, UPDATE, DELETE or MERGE per batch");
        }
    }

    /** R4/R5: a person confirms before the first step that can lose data. */
    private void approvalBeforeDestruction() {
        if (change.isEmpty() || !change.get().changeClass().needsApproval()) {
            return;
        }
        boolean approved = false;
        boolean backedUp = false;
        Step previous = null;
        for (Step step : steps) {
            if (step instanceof ApprovalStep) {
                approved = true;
            }
            Optional<SqlStatement> destructive = statementsOf(step).stream()
                    .filter(SqlStatement::isDestructive)
                    .findFirst();
            if (destructive.isPresent() && !approved) {
                builder.problem(
                        builder.source(step).at("sql"),
                        "class " + change.get().changeClass() + " runbook: step '" + step.id() + "' runs "
                                + destructive.get().head(3)
                                + " with no approval step before it: add a kind: approval step first");
                return;
            }
            if (destructive.isPresent()) {
                typedConfirmationRightBefore(step, destructive.get(), previous);
                if (!backedUp) {
                    builder.problem(
                            builder.source(step).at("sql"),
                            "class " + change.get().changeClass() + " runbook: no step before '" + step.id()
                                    + "' records backup evidence: mark the approval (whose reason names the backup"
                                    + " and its restore test) or a check that proves it with evidence: backup");
                }
                return;
            }
            if (step.marks()
                    .evidence()
                    .filter(evidence -> evidence == Evidence.BACKUP)
                    .isPresent()) {
                backedUp = true;
            }
            previous = step;
        }
        if (!approved) {
            builder.problem(
                    builder.classPosition(),
                    "class " + change.get().changeClass()
                            + " needs an approval step in the main flow (kind: approval)");
        }
    }

    /**
     * R4/R5: the step right before the first destructive one is an approval the operator confirms by typing
     * the runbook id, so that the last thing a person does before data goes is deliberate.
     */
    private void typedConfirmationRightBefore(Step destructive, SqlStatement statement, Step previous) {
        if (previous instanceof ApprovalStep approval) {
            if (approval.confirm() != ApprovalStep.Confirm.TYPED) {
                builder.problem(
                        builder.source(previous).at("confirm"),
                        "class " + change.get().changeClass() + " runbook: approval '" + previous.id()
                                + "' right before '" + destructive.id() + "' (" + statement.head(3)
                                + ") needs confirm: typed (the operator types the runbook id)");
            }
            return;
        }
        builder.problem(
                builder.source(destructive).idPosition(),
                "class " + change.get().changeClass() + " runbook: step '" + destructive.id() + "' runs "
                        + statement.head(3) + " right after "
                        + (previous == null ? "nothing" : "'" + previous.id() + "'")
                        + ": put a kind: approval step with confirm: typed directly before it");
    }

    /**
     * Expand and contract ship in separate runbooks with a release between them: old application versions
     * need the old shape until the contract. So a runbook may not hold both expand-phase and contract-phase
     * steps; expand steps may not drop, truncate, delete, rename or retype; contract steps may not add tables
     * or columns. Recovery steps are exempt: undoing an expand drops what it built.
     */
    private void expandAndContractApart() {
        if (change.isEmpty()) {
            return;
        }
        Phase declared = change.get().phase();
        Step firstExpand = null;
        Step firstContract = null;
        for (Step step : steps) {
            Phase phase = step.phase().orElse(declared);
            if (phase == Phase.EXPAND && firstExpand == null) {
                firstExpand = step;
            }
            if (phase == Phase.CONTRACT && firstContract == null) {
                firstContract = step;
            }
            List<SqlStatement> statements = statementsOf(step);
            if (phase == Phase.EXPAND) {
                statements.stream()
                        .filter(SqlStatement::isContractWork)
                        .findFirst()
                        .ifPresent(statement -> builder.problem(
                                builder.source(step).at("sql"),
                                "step '" + step.id() + "' is expand-phase but runs " + statement.head(4)
                                        + ", contract work: move it to a contract-phase runbook"));
            }
            if (phase == Phase.CONTRACT) {
                statements.stream()
                        .filter(SqlStatement::isExpandWork)
                        .findFirst()
                        .ifPresent(statement -> builder.problem(
                                builder.source(step).at("sql"),
                                "step '" + step.id() + "' is contract-phase but runs " + statement.head(4)
                                        + ", expand work: move it to an expand-phase runbook"));
            }
        }
        if (firstExpand != null && firstContract != null) {
            Step later = steps.indexOf(firstExpand) > steps.indexOf(firstContract) ? firstExpand : firstContract;
            Step earlier = later == firstExpand ? firstContract : firstExpand;
            builder.problem(
                    builder.source(later).at("phase"),
                    "expand-phase and contract-phase steps in one runbook ('" + earlier.id() + "' and '" + later.id()
                            + "'): split them into two runbooks with a release in between");
        }
    }

    private static List<SqlStatement> statementsOf(Step step) {
        List<SqlStatement> statements = new ArrayList<>();
        if (step instanceof SqlStep sql) {
            statements.addAll(SqlLexer.statements(sql.sql()));
        } else if (step instanceof BackfillStep backfill) {
            statements.addAll(SqlLexer.statements(backfill.sql()));
        }
        return statements;
    }
}
