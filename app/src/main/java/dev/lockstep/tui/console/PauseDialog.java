package dev.lockstep.tui.console;

import com.googlecode.lanterna.input.KeyStroke;
import dev.lockstep.criteria.CriterionStatus;
import dev.lockstep.tui.console.Look.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Enter while a stop criterion without auto_resume holds the run paused: what paused it and the choices. Resume
 * is offered once the criterion has cleared (the run then asks, and Enter opens that question instead); until
 * then keep waiting, stop at a safe point, or abort.
 */
final class PauseDialog extends Dialog {

    private final List<CriterionStatus> inForce;
    private final Supplier<Dialog> stop;
    private final Supplier<Dialog> abort;

    PauseDialog(List<CriterionStatus> inForce, Supplier<Dialog> stop, Supplier<Dialog> abort) {
        this.inForce = List.copyOf(inForce);
        this.stop = stop;
        this.abort = abort;
    }

    @Override
    String title() {
        return "PAUSED BY A STOP CRITERION";
    }

    @Override
    List<Line> body() {
        List<Line> lines = new ArrayList<>();
        for (CriterionStatus status : inForce) {
            String signal = status.criterion().signal().key();
            lines.add(new Line(
                    status.id() + ": " + SignalText.name(signal) + " " + SignalText.reading(signal, status.reading())
                            + " " + SignalText.limit(status.criterion()) + ", clears at "
                            + SignalText.clearsAt(status.criterion()),
                    Role.BAD));
        }
        lines.add(new Line(
                "  r  resume (not now: offered once the criterion has cleared; the run then asks you)", Role.DIM));
        lines.add(new Line("  w  keep waiting: the run stays paused, nothing else changes", Role.NORMAL));
        lines.add(new Line("  s  stop at a safe point, resumable", Role.NORMAL));
        lines.add(new Line("  A  abort now: cancel the statement in flight", Role.NORMAL));
        return lines;
    }

    @Override
    String hint() {
        return "w, s or A; Esc closes";
    }

    @Override
    Result key(KeyStroke key) {
        if (isEscape(key) || isChar(key, 'w')) {
            return Result.CLOSE;
        }
        if (isChar(key, 's')) {
            next = stop.get();
            return Result.CLOSE;
        }
        if (isChar(key, 'A')) {
            next = abort.get();
            return Result.CLOSE;
        }
        if (isChar(key, 'r')) {
            problem = "resume is offered once the criterion has cleared";
        }
        return Result.KEEP;
    }
}
