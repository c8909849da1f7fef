package dev.lockstep.tui.console;

import dev.lockstep.engine.Command;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Question;

/** What a dialog can do once the operator confirmed it; the console does it and says what came of it. */
interface ConsoleActions {

    /** The operator, as decisions record them: {@code user@host}. */
    String actor();

    String runbookId();

    /** Sends a command to the run; the footer says whether it was taken or why not. */
    void send(Command command);

    /** Answers the question the run waits on. */
    void answer(Question question, Operator.Answer answer);

    /** Cancels the query of (or terminates) another backend, recorded as a decision first. */
    void signalBackend(LocksPane.Session target, boolean terminate, String reason);

    /** Stops the run at a safe point, then leaves the console once it has stopped. */
    void quit(String reason);

    /** Hides the question: it stays pending, and the header says so. */
    void hide(Question question);
}
