package dev.lockstep.runbook;

/**
 * What a step means for recovery, beyond what it does.
 *
 * @param critical {@code critical:} (default true); only a step marked {@code critical: false} may be skipped
 *     when it fails, because the runbook's author said the change holds without it
 * @param rollbackBoundary {@code rollback_boundary: true} once this step has completed, the change can no
 *     longer be rolled back (a destructive step, a cutover clients have seen): declared rollbacks are no
 *     longer offered, and crossing it is recorded
 * @param evidence {@code evidence:} (approval and check steps): what the step proves, such as a backup, before
 *     a class R4/R5 change destroys anything; empty when it proves nothing in particular
 * @param precondition {@code precondition: true} (check steps before the first change): the run may start only
 *     while it holds, such as "no application version that needs the old shape is still running" before a
 *     contract; when it does not, the run stops before anything changes (resumable) instead of failing
 */
public record StepMarks(
        boolean critical, boolean rollbackBoundary, java.util.Optional<Evidence> evidence, boolean precondition) {
    public static final StepMarks DEFAULT = new StepMarks(true, false);

    public StepMarks(boolean critical, boolean rollbackBoundary) {
        this(critical, rollbackBoundary, java.util.Optional.empty(), false);
    }
}
