package dev.lockstep.recovery;

import java.util.List;

/**
 * A step's failure as classified after inspecting the database.
 *
 * @param sqlState the server's error code; null when no statement failed (a check that did not hold)
 * @param applied how much of the step stayed, which decides whether running it again is safe
 * @param facts what inspection found, in the order an operator reads them
 * @param leftovers what the step left behind that a built-in repair can remove
 */
public record Failure(
        String stepId,
        String stepKind,
        int attempt,
        FailureClass failureClass,
        String sqlState,
        String message,
        Applied applied,
        List<Fact> facts,
        List<Leftover> leftovers) {

    public Failure {
        facts = List.copyOf(facts);
        leftovers = List.copyOf(leftovers);
    }

    public String explanation() {
        return failureClass.explanation();
    }

    /** The value of a fact by name, or null. */
    public String fact(String name) {
        return facts.stream()
                .filter(fact -> fact.name().equals(name))
                .map(Fact::value)
                .findFirst()
                .orElse(null);
    }
}
