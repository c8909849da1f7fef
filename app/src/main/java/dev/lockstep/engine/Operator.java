package dev.lockstep.engine;

import java.util.List;
import java.util.Optional;

/**
 * The engine's port to a person. The console and line mode implement it; {@link #UNATTENDED} answers
 * nothing, and the engine then stops resumable (exit 4) saying what it would have asked.
 */
public interface Operator {

    /** Whether someone can answer; unattended runs never block on a question. */
    boolean attended();

    /** Asks for an approval; empty when refused or nobody can answer. */
    Optional<Answer> approve(String stepId, String prompt, String confirmText);

    /** Asks to choose one of {@code options}, with a reason; empty when nobody can answer. */
    Optional<Answer> decide(String stepId, String question, List<String> options);

    /** An operator's answer: the choice (or "approve"), who gave it and why. */
    record Answer(String choice, String actor, String reason) {}

    Operator UNATTENDED = new Operator() {
        public boolean attended() {
            return false;
        }

        public Optional<Answer> approve(String stepId, String prompt, String confirmText) {
            return Optional.empty();
        }

        public Optional<Answer> decide(String stepId, String question, List<String> options) {
            return Optional.empty();
        }
    };
}
