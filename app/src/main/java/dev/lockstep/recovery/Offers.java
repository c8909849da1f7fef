package dev.lockstep.recovery;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The options for a failed step, each with whether its preconditions hold and why. An option is available
 * only when it is safe given what stayed applied, what was left behind and what the runbook declares;
 * the reasons say what would have to change for an unavailable one.
 */
public final class Offers {

    private Offers() {}

    public static List<Offer> of(Failure failure, Declared declared) {
        List<Offer> offers = new ArrayList<>();
        offers.add(retry(failure));
        offers.add(repair(failure, declared));
        offers.add(rollForward(failure, declared));
        offers.add(rollback(failure, declared));
        offers.add(skip(failure, declared));
        offers.add(new Offer(
                Choice.ABANDON,
                true,
                "always possible: nothing runs; what earlier steps applied stays as it is",
                "closes the run as abandoned; a new run of the runbook can then start"));
        offers.add(new Offer(
                Choice.ABORT,
                true,
                "always possible: nothing runs",
                "stops now; the run stays failed and asks again when the same command runs again"));
        offers.add(new Offer(
                Choice.RECHECK,
                true,
                "needs an operator at the screen",
                "inspects the database again (has the blocker gone?) and asks again"));
        return List.copyOf(offers);
    }

    private static Offer retry(Failure failure) {
        String step = failure.stepId();
        String effect = "runs step " + step + " again";
        if (!failure.leftovers().isEmpty()) {
            return new Offer(
                    Choice.RETRY,
                    false,
                    "it left " + describe(failure.leftovers()) + " behind; running it again over that fails or"
                            + " succeeds without building anything: repair first",
                    effect);
        }
        switch (failure.applied()) {
            case ALL:
                return new Offer(
                        Choice.RETRY,
                        false,
                        "its statements ran outside a transaction and stayed applied; running them again is not"
                                + " known to be safe: roll forward, repair, or abandon",
                        effect);
            case UNKNOWN:
                return new Offer(
                        Choice.RETRY,
                        false,
                        "not known whether it applied: run the same command again and its verify (or you) settles"
                                + " it first",
                        effect);
            case PARTLY:
                if (!"backfill".equals(failure.stepKind())) {
                    return new Offer(
                            Choice.RETRY,
                            false,
                            "part of it stayed applied outside a transaction; running it all again is not known"
                                    + " to be safe: repair, roll forward or abandon",
                            effect);
                }
                effect = "resumes backfill " + step + " from its checkpoint (committed batches stay)";
                break;
            default:
                break;
        }
        switch (failure.failureClass()) {
            case SYNTAX:
                return new Offer(
                        Choice.RETRY,
                        false,
                        "the same SQL fails the same way: fix the runbook, then run again with"
                                + " --accept-changed-runbook REASON",
                        effect);
            case LOCK_TIMEOUT:
                if (failure.fact("blocker") != null) {
                    return new Offer(
                            Choice.RETRY,
                            false,
                            "the blocker still holds the lock (" + failure.fact("blocker")
                                    + "): end that session or wait for it, then recheck",
                            effect);
                }
                return new Offer(Choice.RETRY, true, "no session holds a conflicting lock any more", effect);
            case PERMISSION:
                return new Offer(
                        Choice.RETRY,
                        true,
                        "nothing of it stayed; it fails again until the privilege is granted to "
                                + orElse(failure.fact("role"), "the role"),
                        effect);
            case UNIQUE_VIOLATION, CHECK_VIOLATION, NOT_NULL_VIOLATION, FOREIGN_KEY_VIOLATION:
                return new Offer(
                        Choice.RETRY,
                        true,
                        "nothing of it stayed; the same rows fail it again unless they were fixed (repair)",
                        effect);
            case OUT_OF_RESOURCES:
                return new Offer(
                        Choice.RETRY,
                        true,
                        "nothing of it stayed; it fails the same way until what ran out ("
                                + orElse(failure.fact("ran_out_of"), "a resource") + ") is freed or raised",
                        effect);
            case SERIALIZATION:
                return new Offer(
                        Choice.RETRY,
                        true,
                        "nothing of it stayed; run again, it reads what the other transaction committed and"
                                + " usually passes (add 40001 to the step's retry codes to retry it by itself)",
                        effect);
            case POST_CHECK_FAILED:
                return new Offer(
                        Choice.RETRY,
                        true,
                        "nothing of it stayed; the check gives the same answer unless the data changed",
                        effect);
            default:
                return new Offer(
                        Choice.RETRY,
                        true,
                        failure.applied() == Applied.PARTLY
                                ? "committed batches stay committed; the rest runs from the checkpoint"
                                : "nothing of it stayed: it is safe to run again",
                        effect);
        }
    }

    private static Offer repair(Failure failure, Declared declared) {
        String step = failure.stepId();
        if (declared.recoveryStep()) {
            return new Offer(
                    Choice.REPAIR,
                    false,
                    "step " + step + " is itself a recovery step; repair it by hand, then retry",
                    "");
        }
        if (failure.failureClass() == FailureClass.LOCK_TIMEOUT && failure.fact("blocker") != null) {
            return new Offer(
                    Choice.REPAIR,
                    false,
                    "the blocker still holds the lock (" + failure.fact("blocker") + "): the step would fail again"
                            + " after the repair; end that session or wait for it, then recheck",
                    "");
        }
        List<String> actions = new ArrayList<>();
        failure.leftovers().forEach(leftover -> actions.add(leftover.repairSql()));
        declared.repair().ifPresent(repair -> actions.add("recovery step " + repair));
        if (actions.isEmpty()) {
            return new Offer(
                    Choice.REPAIR,
                    false,
                    "the runbook declares no repair for step " + step + " (on_failure.repair) and it left nothing"
                            + " behind that Lockstep knows how to remove",
                    "");
        }
        String why = declared.repair().isPresent()
                ? "the runbook declares a repair for step " + step
                : "it left " + describe(failure.leftovers()) + " behind, which Lockstep removes without blocking"
                        + " writes";
        return new Offer(
                Choice.REPAIR, true, why, "runs " + String.join(", then ", actions) + ", then step " + step + " again");
    }

    private static Offer rollForward(Failure failure, Declared declared) {
        if (declared.recoveryStep()) {
            return new Offer(Choice.ROLL_FORWARD, false, "a recovery step has no recovery steps of its own", "");
        }
        return declared.rollForward()
                .map(target -> new Offer(
                        Choice.ROLL_FORWARD,
                        true,
                        "the runbook declares a corrective step for step " + failure.stepId(),
                        "runs recovery step " + target + " in place of step " + failure.stepId()
                                + "; the run goes on after it"))
                .orElse(new Offer(
                        Choice.ROLL_FORWARD,
                        false,
                        "the runbook declares no roll-forward for step " + failure.stepId()
                                + " (on_failure.roll_forward)",
                        ""));
    }

    private static Offer rollback(Failure failure, Declared declared) {
        if (declared.recoveryStep()) {
            return new Offer(Choice.ROLLBACK, false, "a recovery step has no recovery steps of its own", "");
        }
        if (declared.rollback().isEmpty()) {
            return new Offer(
                    Choice.ROLLBACK,
                    false,
                    "the runbook declares no rollback for step " + failure.stepId() + " (on_failure.rollback)",
                    "");
        }
        String effect = "runs recovery step " + declared.rollback().get() + "; the run then ends rolled back";
        if (declared.boundaryCrossed().isPresent()) {
            return new Offer(
                    Choice.ROLLBACK,
                    false,
                    "step " + declared.boundaryCrossed().get() + ", the rollback boundary, has completed: the change"
                            + " can no longer be rolled back",
                    effect);
        }
        return new Offer(Choice.ROLLBACK, true, "declared, and the run has not crossed its rollback boundary", effect);
    }

    private static Offer skip(Failure failure, Declared declared) {
        String step = failure.stepId();
        if (declared.critical()) {
            return new Offer(
                    Choice.SKIP,
                    false,
                    "the runbook does not mark step " + step + " critical: false; the change needs it",
                    "");
        }
        String leftBehind = failure.leftovers().isEmpty() ? "" : "; it leaves " + describe(failure.leftovers());
        return new Offer(
                Choice.SKIP,
                true,
                "the runbook marks step " + step + " critical: false" + leftBehind,
                "goes on with the next step without step " + step);
    }

    private static String describe(List<Leftover> leftovers) {
        return leftovers.stream().map(Leftover::description).collect(Collectors.joining(", "));
    }

    private static String orElse(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
