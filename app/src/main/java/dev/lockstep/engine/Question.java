package dev.lockstep.engine;

import dev.lockstep.recovery.Diagnosis;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine asks a person, with everything a screen needs to ask it well: what kind of question it is
 * (a console opens a dialog of that kind), the step, the question in one sentence, the choices with whether
 * each is available now and why (or why not), and the text to type when a key is not enough.
 *
 * @param id unique within the process, so that an answer cannot land on a later question
 * @param confirmText what the operator must type to choose the first available choice (the runbook id, for
 *     an approval the runbook marks {@code confirm: typed}); null when choosing is enough
 * @param failure for {@link Kind#FAILURE}, the failure with its facts and options; null otherwise
 */
public record Question(
        String id, Kind kind, String step, String text, List<Choice> choices, String confirmText, Diagnosis failure) {

    /** The kinds of question, one dialog each. */
    public enum Kind {
        /** An approval step: approve, or refuse (the run stops, resumable). */
        APPROVAL,
        /** A stop criterion without auto_resume cleared: resume, or stop. */
        RESUME,
        /** A step ran outside a transaction and has no recorded end: did it apply? */
        IN_DOUBT,
        /** A step failed: retry, repair, roll forward, roll back, skip, abandon or abort. */
        FAILURE,
        /** A backfill would end after the change window: continue, throttle, or stop at this safe point. */
        WINDOW
    }

    /** One answer the operator may give; {@code why} says why it is (not) available, or null. */
    public record Choice(String id, String label, boolean available, String why) {
        public Choice {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(label, "label");
        }

        public static Choice of(String id, String label) {
            return new Choice(id, label, true, null);
        }
    }

    public Question(String id, Kind kind, String step, String text, List<Choice> choices, String confirmText) {
        this(id, kind, step, text, choices, confirmText, null);
    }

    public Question {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        choices = List.copyOf(choices);
    }

    /** The choices the operator can take now. */
    public List<Choice> available() {
        return choices.stream().filter(Choice::available).toList();
    }

    public Optional<Choice> choice(String id) {
        return choices.stream().filter(choice -> choice.id().equals(id)).findFirst();
    }
}
