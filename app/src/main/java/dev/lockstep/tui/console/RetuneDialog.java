package dev.lockstep.tui.console;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.lockstep.engine.BackfillProgress;
import dev.lockstep.engine.Command;
import dev.lockstep.runbook.Durations;
import dev.lockstep.tui.console.Look.Role;
import java.time.Duration;
import java.util.List;

/**
 * {@code t}: the backfill's pace from its next batch: the time a batch should take (its size adapts, within the
 * runbook's min and max keys) and the pause between batches. A field left as it is keeps its value.
 */
final class RetuneDialog extends Dialog {

    private final ConsoleActions actions;
    private final String step;
    private final Field target;
    private final Field pause;
    private final Field reason = new Field("reason");
    private final List<Field> fields;
    private int active;

    RetuneDialog(ConsoleActions actions, String step, BackfillProgress progress) {
        this.actions = actions;
        this.step = step;
        this.target = new Field(
                "batch target (e.g. 500ms, 2s; empty: fixed size)",
                progress.target() == null ? "" : Durations.format(progress.target()));
        this.pause = new Field("pause between batches (e.g. 0s, 200ms)", Durations.format(progress.pause()));
        this.fields = List.of(target, pause, reason);
    }

    @Override
    String title() {
        return "RETUNE " + step;
    }

    @Override
    List<Line> body() {
        return List.of(new Line(
                "From the next batch on. Batch sizes stay within the runbook's min and max keys; a stop criterion's"
                        + " throttle still halves them.",
                Role.NORMAL));
    }

    @Override
    List<Field> fields() {
        return fields;
    }

    @Override
    Field active() {
        return fields.get(active);
    }

    @Override
    String hint() {
        return active < fields.size() - 1
                ? "Enter or Tab: next field; Esc cancels"
                : "type why, Enter retunes (recorded as " + actions.actor() + "); Esc cancels";
    }

    @Override
    Result key(KeyStroke key) {
        if (isEscape(key)) {
            return Result.CLOSE;
        }
        if (key.getKeyType() == KeyType.Tab || (isEnter(key) && active < fields.size() - 1)) {
            active = (active + 1) % fields.size();
            return Result.KEEP;
        }
        if (key.getKeyType() == KeyType.ReverseTab) {
            active = (active + fields.size() - 1) % fields.size();
            return Result.KEEP;
        }
        if (isEnter(key)) {
            return submit();
        }
        if (active().edit(key)) {
            problem = null;
        }
        return Result.KEEP;
    }

    private Result submit() {
        Duration newTarget;
        Duration newPause;
        try {
            newTarget = target.text().isEmpty() ? null : Durations.parse(target.text());
            newPause = Durations.parse(pause.text().isEmpty() ? "0s" : pause.text());
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
            return Result.KEEP;
        }
        if (newTarget != null && newTarget.isZero()) {
            problem = "a batch target must be more than 0s";
            return Result.KEEP;
        }
        if (reason.text().isEmpty()) {
            problem = "a reason is required: it is recorded with your name";
            return Result.KEEP;
        }
        actions.send(new Command.Retune(actions.actor(), reason.text(), newTarget, newPause));
        return Result.CLOSE;
    }
}
