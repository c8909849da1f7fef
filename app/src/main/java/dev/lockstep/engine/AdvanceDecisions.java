package dev.lockstep.engine;

import dev.lockstep.recovery.Choice;
import dev.lockstep.recovery.Decision;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The decisions given in advance on the command line ({@code --decide KEY=OPTION:REASON}), for a run nobody
 * attends. A key is a step id (or {@code ledger:TOOL}); the option says which question it answers: the step's
 * failure, its in-doubt question, or its backfill's window question. Each is taken at most once in a process,
 * by the first question its option answers, so that one decision never answers two different situations.
 */
final class AdvanceDecisions {

    /**
     * The options a failure's decision is read from: all but the other questions' own (a step in doubt's
     * {@code applied}, the window's {@code continue} and {@code throttle}), so that a failure given one it
     * cannot take (recheck, acknowledge) says why.
     */
    static final Set<Choice> FAILURE =
            EnumSet.complementOf(EnumSet.of(Choice.APPLIED, Choice.CONTINUE, Choice.THROTTLE));

    private final Map<String, Decision> given;

    AdvanceDecisions(Map<String, Decision> given) {
        this.given = new HashMap<>(given);
    }

    /** The decision for {@code key} whatever its option, taken; the caller says why it cannot be used. */
    synchronized Optional<Decision> take(String key) {
        return Optional.ofNullable(given.remove(key));
    }

    /** The decision for {@code key} when its option is one of {@code answers}, taken; else empty, left. */
    synchronized Optional<Decision> take(String key, Set<Choice> answers) {
        Decision decision = given.get(key);
        if (decision == null || !answers.contains(decision.choice())) {
            return Optional.empty();
        }
        return Optional.of(given.remove(key));
    }
}
