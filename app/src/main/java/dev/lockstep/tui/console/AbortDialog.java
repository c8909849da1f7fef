package dev.lockstep.tui.console;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.lockstep.engine.Command;
import dev.lockstep.tui.console.Look.Role;
import java.util.List;

/**
 * {@code A}: abort now. The statement in flight is cancelled (what committed stays), the run stops resumable.
 * Confirmed by typing the runbook id, as gh-ost's named panic asks for the table's name.
 */
final class AbortDialog extends Dialog {

    private final ConsoleActions actions;
    private final Field id = new Field("type the runbook id to confirm");
    private final Field reason = new Field("reason");
    private Field active = id;

    AbortDialog(ConsoleActions actions) {
        this.actions = actions;
    }

    @Override
    String title() {
        return "ABORT " + actions.runbookId();
    }

    @Override
    List<Line> body() {
        return List.of(
                new Line("Cancels the statement in flight now and stops the run, resumable.", Role.BAD),
                new Line(
                        "What committed stays committed; a step outside a transaction may be left in doubt. To stop"
                                + " after the batch in flight instead, Esc and press s.",
                        Role.NORMAL),
                new Line("runbook id: " + actions.runbookId(), Role.TITLE));
    }

    @Override
    List<Field> fields() {
        return List.of(id, reason);
    }

    @Override
    Field active() {
        return active;
    }

    @Override
    String hint() {
        return active == id ? "Enter or Tab: next field; Esc cancels" : "Enter aborts (recorded); Esc cancels";
    }

    @Override
    Result key(KeyStroke key) {
        if (isEscape(key)) {
            return Result.CLOSE;
        }
        if (key.getKeyType() == KeyType.Tab || key.getKeyType() == KeyType.ReverseTab) {
            active = active == id ? reason : id;
            return Result.KEEP;
        }
        if (isEnter(key)) {
            if (active == id) {
                active = reason;
                return Result.KEEP;
            }
            if (!id.text().equals(actions.runbookId())) {
                problem = "the runbook id does not match: nothing was aborted";
                active = id;
                return Result.KEEP;
            }
            if (reason.text().isEmpty()) {
                problem = "a reason is required: it is recorded with your name";
                return Result.KEEP;
            }
            actions.send(new Command.Abort(actions.actor(), reason.text()));
            return Result.CLOSE;
        }
        if (active.edit(key)) {
            problem = null;
        }
        return Result.KEEP;
    }
}
