package dev.lockstep.tui.console;

import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Question;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The operator at the console. The engine's thread asks and waits; the console shows the question (it comes
 * through the run's view) and answers it from its own thread. A withdrawn question (a stop came first) ends the
 * wait unanswered. An answer for a question no longer pending is dropped: it cannot land on a later one.
 */
final class ConsoleOperator implements Operator {

    private record Pending(Question question, CompletableFuture<Optional<Answer>> answer) {}

    private volatile Pending pending;

    @Override
    public boolean attended() {
        return true;
    }

    @Override
    public Optional<Answer> ask(Question question) {
        Pending asked = new Pending(question, new CompletableFuture<>());
        pending = asked;
        try {
            return asked.answer().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        } finally {
            pending = null;
        }
    }

    @Override
    public void withdraw() {
        Pending asked = pending;
        if (asked != null) {
            asked.answer().complete(Optional.empty());
        }
    }

    /** The question the run waits on now, or null: the one an answer would land on. */
    Question asking() {
        Pending asked = pending;
        return asked == null ? null : asked.question();
    }

    /** Answers the question if it is still the one pending; false when it no longer is. */
    boolean answer(Question question, Answer answer) {
        Pending asked = pending;
        if (asked == null || !asked.question().id().equals(question.id())) {
            return false;
        }
        return asked.answer().complete(Optional.of(answer));
    }
}
