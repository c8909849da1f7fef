package dev.lockstep.tui.console;

import com.googlecode.lanterna.input.KeyStroke;
import java.util.List;
import java.util.function.Consumer;

/**
 * A command that needs only a reason: pause, resume, stop, quit. The body says what will happen; Enter with a
 * reason does it.
 */
final class ReasonDialog extends Dialog {

    private final String title;
    private final List<Line> body;
    private final Consumer<String> action;
    private final String actor;
    private final Field reason = new Field("reason");

    ReasonDialog(String title, List<Line> body, String actor, Consumer<String> action) {
        this.title = title;
        this.body = body;
        this.actor = actor;
        this.action = action;
    }

    @Override
    String title() {
        return title;
    }

    @Override
    List<Line> body() {
        return body;
    }

    @Override
    List<Field> fields() {
        return List.of(reason);
    }

    @Override
    Field active() {
        return reason;
    }

    @Override
    String hint() {
        return "type why, Enter does it (recorded as " + actor + "); Esc cancels";
    }

    @Override
    Result key(KeyStroke key) {
        if (isEscape(key)) {
            return Result.CLOSE;
        }
        if (isEnter(key)) {
            if (reason.text().isEmpty()) {
                problem = "a reason is required: it is recorded with your name";
                return Result.KEEP;
            }
            action.accept(reason.text());
            return Result.CLOSE;
        }
        if (reason.edit(key)) {
            problem = null;
        }
        return Result.KEEP;
    }
}
