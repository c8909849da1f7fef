package dev.lockstep.recovery;

import java.util.Optional;

/**
 * What the runbook declares for the failed step, and where the run stands with respect to the rollback
 * boundary: the inputs, beside the failure, of which options are offered.
 *
 * @param repair the recovery step {@code on_failure.repair} names
 * @param rollForward the recovery step {@code on_failure.roll_forward} names
 * @param rollback the recovery step {@code on_failure.rollback} names
 * @param critical false when the runbook marks the step {@code critical: false}
 * @param boundaryCrossed the rollback boundary step that already completed in this run, if any
 * @param recoveryStep whether the failed step is itself a recovery step (its own failure is not recovered
 *     by further recovery steps)
 */
public record Declared(
        Optional<String> repair,
        Optional<String> rollForward,
        Optional<String> rollback,
        boolean critical,
        Optional<String> boundaryCrossed,
        boolean recoveryStep) {

    public static final Declared NOTHING =
            new Declared(Optional.empty(), Optional.empty(), Optional.empty(), true, Optional.empty(), false);
}
