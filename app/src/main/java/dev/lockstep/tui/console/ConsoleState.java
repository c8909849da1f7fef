package dev.lockstep.tui.console;

import java.time.Instant;

/**
 * What the operator did to the screen (not to the run): the pane shown, the open dialog, the selection and
 * scroll positions, the events filter, the last message. Owned by the console's thread; nothing else reads it.
 */
final class ConsoleState {

    /** The panes, by their key. */
    enum Pane {
        RUN('1', "run"),
        LOCKS('2', "locks"),
        REPLICATION('3', "repl"),
        EVENTS('4', "events");

        final char key;
        /** As the footer names it. */
        final String shortTitle;

        Pane(char key, String shortTitle) {
            this.key = key;
            this.shortTitle = shortTitle;
        }
    }

    /** A message the console shows once in place of the footer: what a command did, or why it was refused. */
    record Flash(String text, boolean bad, Instant until) {}

    Pane pane = Pane.RUN;
    boolean help;
    Dialog dialog;
    /** The question the operator hid with Esc: it stays pending, and the header says so. */
    String hiddenQuestion;
    /** The pid selected in the locks pane (0: the first row). */
    int selectedPid;
    /** Lines scrolled up from the newest event in the events pane. */
    int eventsScroll;

    String filter = "";
    boolean editingFilter;
    Flash flash;
    /** The operator asked to quit a run in progress: the console leaves once the run has stopped. */
    boolean quitting;

    boolean exit;

    void flash(String text, boolean bad, Instant now) {
        flash = new Flash(text, bad, now.plusSeconds(8));
    }
}
