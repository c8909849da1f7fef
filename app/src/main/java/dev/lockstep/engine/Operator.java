package dev.lockstep.engine;

import java.util.Optional;

/**
 * The engine's port to a person. The console and line mode implement it; {@link #UNATTENDED} answers
 * nothing, and the engine then stops resumable (exit 4) saying what it would have asked.
 *
 * <p>The engine calls {@link #ask} on its own thread and waits for the answer: an implementation blocks
 * until the person answers (or cannot), and may be called again only after it returned. The engine announces
 * each question with a {@link EngineEvent.QuestionAsked} event before asking and a
 * {@link EngineEvent.QuestionClosed} after, so that every screen shows what is pending.
 */
public interface Operator {

    /** Whether someone can answer; unattended runs never block on a question. */
    boolean attended();

    /**
     * Asks and waits. The answer's choice is one of the question's available choices; every answer carries
     * who gave it and why. Empty when nobody answered: refused (an approval), left unanswered, or a stop
     * asked for meanwhile.
     */
    Optional<Answer> ask(Question question);

    /**
     * The engine no longer waits for the question in flight (a stop or abort came): {@link #ask} must return
     * soon, empty. Called from any thread; a no-op when nothing is asked.
     */
    default void withdraw() {}

    /** An operator's answer: the choice's id, who gave it ({@code user@host}) and why. */
    record Answer(String choice, String actor, String reason) {}

    Operator UNATTENDED = new Operator() {
        public boolean attended() {
            return false;
        }

        public Optional<Answer> ask(Question question) {
            return Optional.empty();
        }
    };
}
