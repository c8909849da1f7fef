package dev.lockstep.runbook;

import java.util.Optional;

/** {@code kind: note}: text shown to the operator and recorded; it does nothing else. */
public record NoteStep(String id, Optional<String> title, Optional<Phase> phase, String text, StepMarks marks)
        implements Step {
    @Override
    public String kind() {
        return "note";
    }
}
