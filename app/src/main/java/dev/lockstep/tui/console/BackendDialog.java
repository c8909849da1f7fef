package dev.lockstep.tui.console;

import com.googlecode.lanterna.input.KeyStroke;
import dev.lockstep.tui.Units;
import dev.lockstep.tui.console.Look.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code c} / {@code K} in the locks pane: cancel the query of, or terminate, the session that was selected
 * when the dialog opened (frozen: the row under the cursor may change with the next sample, the target does
 * not). The reason first, then {@code y} confirms; neither {@code c} nor {@code K} ever does.
 */
final class BackendDialog extends Dialog {

    private final ConsoleActions actions;
    private final LocksPane.Session target;
    private final boolean terminate;
    private final Field reason = new Field("reason");
    private boolean confirming;
    /** Whether the latest sample still shows the target in the lock view (it may end while the dialog is open). */
    private boolean inLockView = true;

    BackendDialog(ConsoleActions actions, LocksPane.Session target, boolean terminate) {
        this.actions = actions;
        this.target = target;
        this.terminate = terminate;
    }

    LocksPane.Session target() {
        return target;
    }

    void inLockView(boolean shown) {
        inLockView = shown;
    }

    @Override
    String title() {
        return (terminate ? "TERMINATE" : "CANCEL") + " pid " + target.pid();
    }

    @Override
    List<Line> body() {
        List<Line> lines = new ArrayList<>(List.of(
                new Line(
                        terminate
                                ? "Terminate the session: its transaction rolls back and its connection closes."
                                : "Cancel the session's current query: its statement (or transaction) fails.",
                        Role.BAD),
                new Line(
                        target.who()
                                + (target.mark().equals("[Lockstep]") ? ": one of Lockstep's own sessions" : "")
                                + (target.mark().equals("[drill]") ? ": a drill's session" : ""),
                        Role.TITLE),
                new Line("query: " + Units.clean(target.query()), Role.NORMAL),
                new Line(target.summary(), Role.DIM)));
        if (!inLockView) {
            // said, not acted on: the session may still exist outside the lock view, and y asks the server
            lines.add(new Line(
                    "pid " + target.pid() + " has left the lock view since this opened: it ended or stopped"
                            + " blocking. y still asks the server, which says whether it was there.",
                    Role.BAD));
        }
        return lines;
    }

    @Override
    List<Field> fields() {
        return List.of(reason);
    }

    @Override
    Field active() {
        return confirming ? null : reason;
    }

    @Override
    String hint() {
        return confirming
                ? "press y to " + (terminate ? "terminate" : "cancel") + " pid " + target.pid() + " now; Esc goes back"
                : "type why, then Enter; Esc cancels";
    }

    @Override
    Result key(KeyStroke key) {
        if (isEscape(key)) {
            if (confirming) {
                confirming = false;
                return Result.KEEP;
            }
            return Result.CLOSE;
        }
        if (confirming) {
            if (isChar(key, 'y')) {
                actions.signalBackend(target, terminate, reason.text());
                return Result.CLOSE;
            }
            return Result.KEEP;
        }
        if (isEnter(key)) {
            if (reason.text().isEmpty()) {
                problem = "a reason is required: it is recorded with your name";
                return Result.KEEP;
            }
            confirming = true;
            problem = null;
            return Result.KEEP;
        }
        if (reason.edit(key)) {
            problem = null;
        }
        return Result.KEEP;
    }
}
