package dev.lockstep.cli;

import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Question;
import java.util.Optional;

/**
 * The demo's stand-in for a person when nobody is at a terminal (CI, a pipe): it answers the two questions the
 * story makes the runs ask, whether to resume once the lock queue has cleared, and what to do about the VALIDATE
 * an old writer's row broke (the declared repair, when it is offered), and records why, as the demo operator.
 * Anything else stays unanswered, as for any unattended run.
 */
final class DemoOperator implements Operator {

    static final String RESUME_REASON = "demo operator: the drill's lock holder is gone and the lock queue is empty";
    static final String REPAIR_REASON =
            "demo operator: one case from a node still on 2026.05; it gets the default priority, that node is drained";

    private final String actor;

    DemoOperator(String actor) {
        this.actor = actor;
    }

    @Override
    public boolean attended() {
        return true;
    }

    @Override
    public Optional<Answer> ask(Question question) {
        if (question.kind() == Question.Kind.RESUME && question.choice("resume").isPresent()) {
            return Optional.of(new Answer("resume", actor, RESUME_REASON));
        }
        if (question.kind() == Question.Kind.FAILURE
                && question.choice("repair").filter(Question.Choice::available).isPresent()) {
            return Optional.of(new Answer("repair", actor, REPAIR_REASON));
        }
        return Optional.empty();
    }
}
