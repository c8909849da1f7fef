package dev.lockstep.cli;

import dev.lockstep.engine.Operator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/**
 * The operator at a terminal in line mode: a question on one line, the answer and then a reason typed
 * back. Used only when a terminal is attached; otherwise the run is unattended.
 */
final class LineOperator implements Operator {

    private final BufferedReader in;
    private final PrintWriter out;
    private final String user;
    private final String runbookId;

    LineOperator(BufferedReader in, PrintWriter out, String user, String runbookId) {
        this.in = in;
        this.out = out;
        this.user = user;
        this.runbookId = runbookId;
    }

    @Override
    public boolean attended() {
        return true;
    }

    @Override
    public synchronized Optional<Answer> approve(String stepId, String prompt, String confirmText) {
        String expected = confirmText == null ? "yes" : runbookId;
        String answer = ask("approve " + stepId + ": " + prompt + " (type " + expected + " to approve)");
        if (answer == null || !answer.equals(expected)) {
            return Optional.empty();
        }
        String reason = ask("reason for approving " + stepId);
        return reason == null || reason.isBlank() ? Optional.empty() : Optional.of(new Answer("approve", user, reason));
    }

    @Override
    public synchronized Optional<Answer> decide(String stepId, String question, List<String> options) {
        String choice = ask(question + " [" + String.join("/", options) + "]");
        if (choice == null || !options.contains(choice)) {
            return Optional.empty();
        }
        String reason = ask("reason");
        return reason == null || reason.isBlank() ? Optional.empty() : Optional.of(new Answer(choice, user, reason));
    }

    private String ask(String question) {
        out.print("?      " + question + ": ");
        out.flush();
        try {
            String line = in.readLine();
            return line == null ? null : line.strip();
        } catch (IOException e) {
            return null;
        }
    }
}
