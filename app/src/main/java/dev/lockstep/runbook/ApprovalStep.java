package dev.lockstep.runbook;

import java.util.Optional;

/** {@code kind: approval}: the run stops until a person answers {@code prompt}. */
public record ApprovalStep(
        String id, Optional<String> title, Optional<Phase> phase, String prompt, Confirm confirm, StepMarks marks)
        implements Step {

    /** How the operator confirms. */
    public enum Confirm {
        /** Answer yes. */
        YES,
        /** Type the runbook id, so a tired finger cannot approve by accident. */
        TYPED
    }

    @Override
    public String kind() {
        return "approval";
    }
}
