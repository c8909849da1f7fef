package dev.lockstep.tui.console;

import com.googlecode.lanterna.input.KeyStroke;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Question;
import dev.lockstep.tui.FailureText;
import dev.lockstep.tui.console.Look.Role;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The question the run waits on: an approval, a resume after a criterion cleared, a step in doubt. First a
 * choice by its letter (a choice that is not available says why), then, when the question asks for it, the
 * runbook id typed, then the reason; Enter on the reason answers. Esc hides the question: it stays pending.
 */
final class QuestionDialog extends Dialog {

    private enum Stage {
        CHOOSE,
        CONFIRM,
        REASON
    }

    /** Facts shown in the failure dialog; more would push the options off a 24-line screen. */
    /** Facts in a failure dialog: with the first on two rows, four rows of an 80x24 screen. */
    private static final int FACTS_SHOWN = 3;
    /** The first fact's rows at most; cut with "..." where even two rows do not hold it. */
    private static final int FIRST_FACT_ROWS = 2;
    /** The box's text width the dialog was last laid out for (72 at 80 columns). */
    private int textColumns = 72;

    private final ConsoleActions actions;
    private final Question question;
    private final Map<Character, Question.Choice> keys = new LinkedHashMap<>();
    private final Field confirm;
    private final Field reason = new Field("reason");
    private Stage stage = Stage.CHOOSE;
    private Question.Choice chosen;

    QuestionDialog(ConsoleActions actions, Question question) {
        this.actions = actions;
        this.question = question;
        this.confirm = new Field("type " + question.confirmText() + " to confirm");
        for (Question.Choice choice : question.choices()) {
            keys.put(keyFor(choice.id()), choice);
        }
    }

    Question question() {
        return question;
    }

    /** The choice's first letter, else the first of its letters no other choice took. */
    private char keyFor(String id) {
        for (char c : id.toLowerCase(Locale.ROOT).toCharArray()) {
            if (Character.isLetter(c) && !keys.containsKey(c)) {
                return c;
            }
        }
        for (char c = '1'; c <= '9'; c++) {
            if (!keys.containsKey(c)) {
                return c;
            }
        }
        throw new IllegalStateException("more than 9 choices");
    }

    @Override
    String title() {
        return switch (question.kind()) {
            case APPROVAL -> "APPROVAL " + question.step();
            case RESUME -> "RESUME?";
            case IN_DOUBT -> "IN DOUBT " + question.step();
            case WINDOW -> "WINDOW " + question.step();
            case FAILURE -> question.failure() != null
                            && FailureText.beforeAnyStep(question.failure().failure())
                    ? "BEFORE THE FIRST STEP " + question.step()
                    : "FAILED " + question.step();
        };
    }

    @Override
    List<Line> body() {
        return lines(FACTS_SHOWN);
    }

    /**
     * A failure's facts give way to the options when the box would not fit between the banner and the footer
     * (a long question, the reason field, a problem line): every option stays on the screen, and the facts left
     * out are counted.
     */
    @Override
    List<Line> body(int rows, int columns) {
        if (question.failure() == null) {
            return body();
        }
        textColumns = columns;
        int text = wrap(question.text(), columns).size();
        // the question, the headline, the options, the line that counts the facts left out, and the second
        // row the first fact may take
        return lines(Math.max(1, Math.min(FACTS_SHOWN, rows - text - 1 - keys.size() - 1 - 1)));
    }

    /** The fact cut at a word so that it wraps onto {@link #FIRST_FACT_ROWS} rows of the box at most. */
    private String withinRows(String fact) {
        String shown = fact;
        while (wrap(shown, textColumns).size() > FIRST_FACT_ROWS) {
            String base = shown.endsWith("...") ? shown.substring(0, shown.length() - 3) : shown;
            int space = base.lastIndexOf(' ');
            shown = (space > 0 ? base.substring(0, space) : base.substring(0, base.length() - 1)) + "...";
        }
        return shown;
    }

    private List<Line> lines(int factsShown) {
        List<Line> lines = new ArrayList<>();
        lines.add(new Line(question.text(), Role.TITLE));
        if (question.failure() != null) {
            // the server's own words first (SQLSTATE and message), then what inspection found: the first fact
            // (who blocks, what was left behind) on up to two rows, the next on one row each; the failure record,
            // the events pane and the timeline hold them whole
            lines.add(new Line(FailureText.headline(question.failure()), Role.BAD, false));
            List<String> facts = FailureText.facts(question.failure());
            for (int index = 0; index < Math.min(factsShown, facts.size()); index++) {
                String fact = facts.get(index);
                boolean first = index == 0;
                lines.add(new Line(first ? withinRows(fact) : fact, Role.NORMAL, first));
            }
            if (facts.size() > factsShown) {
                lines.add(new Line(
                        "(" + (facts.size() - factsShown) + " more in the events pane and the timeline)",
                        Role.DIM,
                        false));
            }
            // what can be done first, each with its key; then what cannot, with why and no key to press
            for (Map.Entry<Character, Question.Choice> entry : keys.entrySet()) {
                Question.Choice choice = entry.getValue();
                if (choice.available()) {
                    boolean picked = chosen != null && chosen.id().equals(choice.id());
                    lines.add(new Line(
                            (picked ? "> " : "  ") + entry.getKey() + "  " + choice.id() + ": " + choice.label(),
                            picked ? Role.SELECTED : Role.NORMAL,
                            false));
                }
            }
            for (Question.Choice choice : keys.values()) {
                if (!choice.available()) {
                    lines.add(new Line("   -  " + choice.id() + " not available: " + choice.why(), Role.DIM, false));
                }
            }
            return lines;
        }
        for (Map.Entry<Character, Question.Choice> entry : keys.entrySet()) {
            Question.Choice choice = entry.getValue();
            boolean picked = chosen != null && chosen.id().equals(choice.id());
            lines.add(new Line(
                    (picked ? "> " : "  ") + entry.getKey() + "  " + choice.label()
                            + (choice.available() ? "" : " (not now: " + choice.why() + ")")
                            + (choice.available() && choice.why() != null ? " (" + choice.why() + ")" : ""),
                    choice.available() ? (picked ? Role.SELECTED : Role.NORMAL) : Role.DIM));
        }
        return lines;
    }

    @Override
    List<Field> fields() {
        return switch (stage) {
            case CHOOSE -> List.of();
            case CONFIRM -> List.of(confirm);
            case REASON -> needsConfirmation() ? List.of(confirm, reason) : List.of(reason);
        };
    }

    @Override
    Field active() {
        return switch (stage) {
            case CHOOSE -> null;
            case CONFIRM -> confirm;
            case REASON -> reason;
        };
    }

    @Override
    String hint() {
        return switch (stage) {
            case CHOOSE -> "the letter of your answer; Esc hides it (it stays pending)";
            case CONFIRM -> "type it, Enter; Esc goes back";
            case REASON -> "type why, Enter answers (recorded as " + actions.actor() + "); Esc goes back";
        };
    }

    private boolean needsConfirmation() {
        // typing the runbook id confirms the first choice (approve); refusing needs no ceremony
        return question.confirmText() != null
                && chosen != null
                && chosen.id().equals(question.choices().get(0).id());
    }

    @Override
    Result key(KeyStroke key) {
        if (isEscape(key)) {
            if (stage == Stage.CHOOSE) {
                actions.hide(question);
                return Result.CLOSE;
            }
            stage = Stage.CHOOSE;
            chosen = null;
            problem = null;
            return Result.KEEP;
        }
        switch (stage) {
            case CHOOSE -> choose(key);
            case CONFIRM -> {
                if (isEnter(key)) {
                    if (confirm.text().equals(question.confirmText())) {
                        stage = Stage.REASON;
                        problem = null;
                    } else {
                        problem = "that is not " + question.confirmText();
                    }
                } else if (confirm.edit(key)) {
                    problem = null;
                }
            }
            case REASON -> {
                if (isEnter(key)) {
                    if (reason.text().isEmpty()) {
                        problem = "a reason is required: it is recorded with your name";
                        return Result.KEEP;
                    }
                    actions.answer(question, new Operator.Answer(chosen.id(), actions.actor(), reason.text()));
                    return Result.CLOSE;
                }
                if (reason.edit(key)) {
                    problem = null;
                }
            }
        }
        return Result.KEEP;
    }

    private void choose(KeyStroke key) {
        if (key.getCharacter() == null || key.isCtrlDown() || key.isAltDown()) {
            return;
        }
        Question.Choice choice = keys.get(Character.toLowerCase(key.getCharacter()));
        if (choice == null) {
            problem = "press one of " + keys.keySet();
            return;
        }
        if (!choice.available()) {
            problem = choice.id() + " is not possible now: " + choice.why();
            return;
        }
        chosen = choice;
        problem = null;
        stage = needsConfirmation() ? Stage.CONFIRM : Stage.REASON;
    }
}
