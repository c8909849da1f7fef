package dev.lockstep.tui.plain;

import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Question;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.UserInterruptException;

/**
 * The operator at a terminal in line mode. A question is printed as an {@code ASK} line with what the
 * answers are, then read at a prompt; every answer needs a reason, asked for again when left empty, and is
 * recorded under the OS user who gave it. Ctrl-D (no answer) and Ctrl-C ask the run to stop at its next safe
 * point, which the question is: the run stops resumable and says why.
 */
public final class LineOperator implements Operator {

    private static final String NO = "no";
    private static final String YES = "yes";

    private final PlainConsole console;
    private final LineFormat format;
    private final Clock clock;
    private final String user;
    private final Consumer<String> stop;

    /**
     * @param user the OS user, recorded as who answered
     * @param stop asks the run to stop at its next safe point, with the reason it will report
     */
    public LineOperator(PlainConsole console, Clock clock, String user, Consumer<String> stop) {
        if (!console.canAsk()) {
            throw new IllegalArgumentException("line mode can only ask on a terminal");
        }
        this.console = console;
        this.format = new LineFormat(clock.getZone());
        this.clock = clock;
        this.user = user;
        this.stop = stop;
    }

    @Override
    public boolean attended() {
        return true;
    }

    @Override
    public Optional<Answer> ask(Question question) {
        if (question.kind() == Question.Kind.APPROVAL) {
            return approve(question.step(), question.text(), question.confirmText());
        }
        if (question.kind() == Question.Kind.FAILURE) {
            return chooseOption(question);
        }
        return decide(
                question.step(),
                question.text(),
                question.available().stream().map(Question.Choice::id).toList());
    }

    @Override
    public void withdraw() {
        console.interruptQuestion();
    }

    /** A typed approval asks for {@code confirmText} (the runbook id); else yes. */
    Optional<Answer> approve(String stepId, String prompt, String confirmText) {
        boolean typed = confirmText != null;
        String approval = typed ? confirmText : YES;
        say("approve " + stepId + ": " + prompt);
        hint((typed ? "type the runbook id " + confirmText + " to approve" : "yes to approve") + ", no to refuse;"
                + " Ctrl-D leaves it unanswered and the run stops, resumable");
        String what = "the approval of step " + stepId;
        while (true) {
            Optional<String> answer = read(typed ? "runbook id or no> " : "yes/no> ", List.of(approval, NO), what);
            if (answer.isEmpty()) {
                return Optional.empty();
            }
            String given = answer.get();
            if (typed ? given.equals(approval) : given.equalsIgnoreCase(YES)) {
                return reason(what).map(reason -> new Answer("approve", user, reason));
            }
            if (given.equalsIgnoreCase(NO)) {
                return Optional.empty();
            }
            say("answer " + approval + " or " + NO);
        }
    }

    Optional<Answer> decide(String stepId, String question, List<String> options) {
        say(question);
        hint("answer " + String.join(", ", options.subList(0, options.size() - 1)) + " or "
                + options.get(options.size() - 1) + " (Tab completes); Ctrl-D leaves it unanswered and the run"
                + " stops, resumable");
        String what = stepId == null ? "the question" : "the question at step " + stepId;
        while (true) {
            Optional<String> answer = read(String.join("/", options) + "> ", options, what);
            if (answer.isEmpty()) {
                return Optional.empty();
            }
            String given = answer.get().toLowerCase(Locale.ROOT);
            if (options.contains(given)) {
                return reason(what).map(reason -> new Answer(given, user, reason));
            }
            say("answer one of " + String.join(", ", options));
        }
    }

    /**
     * A failed step: every option numbered, with whether it is available and why; the operator answers with
     * a number or an option's name, and only an available one is taken.
     */
    Optional<Answer> chooseOption(Question question) {
        say(question.text());
        List<Question.Choice> choices = question.choices();
        List<String> accepted = new java.util.ArrayList<>();
        for (int index = 0; index < choices.size(); index++) {
            Question.Choice choice = choices.get(index);
            String number = Integer.toString(index + 1);
            hint(number + " " + choice.id()
                    + (choice.available()
                            ? ": " + choice.label() + (choice.why() == null ? "" : " (" + choice.why() + ")")
                            : " (not available): " + choice.why()));
            if (choice.available()) {
                accepted.add(number);
                accepted.add(choice.id());
            }
        }
        hint("answer with a number or a name (Tab completes); Ctrl-D leaves it undecided: the run stops (exit 4)"
                + " and running it again asks again");
        String what = "the failure of step " + question.step();
        List<String> names =
                question.available().stream().map(Question.Choice::id).toList();
        while (true) {
            Optional<String> answer = read("option> ", names, what);
            if (answer.isEmpty()) {
                return Optional.empty();
            }
            String given = answer.get().toLowerCase(Locale.ROOT);
            if (accepted.contains(given)) {
                String id = given.chars().allMatch(Character::isDigit)
                        ? choices.get(Integer.parseInt(given) - 1).id()
                        : given;
                return reason(what).map(reason -> new Answer(id, user, reason));
            }
            Optional<Question.Choice> unavailable = question.choice(given);
            say(
                    unavailable.isPresent()
                            ? given + " is not available: " + unavailable.get().why()
                            : "answer one of " + String.join(", ", names) + " (or its number)");
        }
    }

    /** A reason is what makes an answer evidence: an empty one is asked for again. */
    private Optional<String> reason(String what) {
        while (true) {
            Optional<String> reason = read("reason> ", List.of(), what);
            if (reason.isEmpty() || !reason.get().isBlank()) {
                return reason;
            }
            say("a reason is required: it is recorded with your name (" + user + ")");
        }
    }

    /** One answer, stripped; empty after Ctrl-D or Ctrl-C, once the run has been asked to stop. */
    private Optional<String> read(String prompt, List<String> choices, String what) {
        try {
            return Optional.of(console.ask(prompt, choices).strip());
        } catch (EndOfFileException noAnswer) {
            stop.accept("no answer to " + what + " (Ctrl-D at the prompt)");
            return Optional.empty();
        } catch (UserInterruptException interrupted) {
            stop.accept("Ctrl-C at the prompt for " + what + ": stopped at a safe point");
            return Optional.empty();
        }
    }

    private void say(String text) {
        console.print(format.lines(clock.instant(), "ASK", text, console.width()));
    }

    private void hint(String text) {
        console.print(format.more(text, console.width()));
    }
}
