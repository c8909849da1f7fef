package dev.lockstep.runbook;

import java.util.Optional;

/**
 * {@code on_failure: { repair: id, roll_forward: id, rollback: id }}: the recovery steps the operator may
 * choose when the step fails. Each names a step under {@code recovery}.
 */
public record OnFailure(Optional<String> repair, Optional<String> rollForward, Optional<String> rollback) {
    public static final OnFailure NONE = new OnFailure(Optional.empty(), Optional.empty(), Optional.empty());
}
