package dev.lockstep.runbook;

import java.util.Optional;

/**
 * One step of a runbook, main flow or {@code recovery}. Step ids are unique across both lists, so an
 * {@code on_failure} reference names exactly one step.
 */
public sealed interface Step permits SqlStep, CheckStep, WaitStep, ApprovalStep, BackfillStep, NoteStep, LedgerStep {

    String id();

    /** A short human title for screens; the id stands in when absent. */
    Optional<String> title();

    /** A per-step phase; empty means the runbook's {@code change.phase}. */
    Optional<Phase> phase();

    /** The {@code kind:} as written: sql, check, wait, approval, backfill, note, ledger. */
    String kind();

    /** {@code critical:} and {@code rollback_boundary:}, what the step means for recovery. */
    StepMarks marks();

    /** Where the operator may go when this step fails; none for approvals and notes. */
    default OnFailure onFailure() {
        return OnFailure.NONE;
    }
}
