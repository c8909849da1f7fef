package dev.lockstep.tui.console;

import dev.lockstep.engine.EngineEvent;
import dev.lockstep.tui.console.Look.Role;
import dev.lockstep.tui.plain.RunLines;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Pane 4, the events: the run's lines as line mode writes them (the timeline's story without the batches and
 * samples), newest at the bottom, scrollable, filtered with {@code /}.
 */
final class EventsPane {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private EventsPane() {}

    /** An event and its line, as the events pane shows them. */
    record Entry(EngineEvent event, RunLines.Line line) {
        boolean matches(String filter) {
            if (filter.isEmpty()) {
                return true;
            }
            String lower = filter.toLowerCase(Locale.ROOT);
            return line.tag().toLowerCase(Locale.ROOT).contains(lower)
                    || line.text().toLowerCase(Locale.ROOT).contains(lower);
        }
    }

    static List<Entry> entries(Frame frame) {
        RunLines describe = new RunLines(frame.zone(), false);
        List<Entry> entries = new ArrayList<>();
        for (EngineEvent event : frame.run().recent()) {
            Optional<RunLines.Line> line = describe.describe(event);
            line.filter(found -> new Entry(event, found).matches(frame.ui().filter))
                    .ifPresent(found -> entries.add(new Entry(event, found)));
        }
        return entries;
    }

    static void draw(Painter painter, Frame frame) {
        ConsoleState ui = frame.ui();
        List<Entry> entries = entries(frame);
        int top = Chrome.TOP;
        int rows = painter.height() - 1 - top - 1;
        String title = "EVENTS " + entries.size()
                + (ui.filter.isEmpty() ? "" : " matching \"" + ui.filter + "\"")
                + (ui.editingFilter ? " (typing the filter)" : "")
                + (ui.eventsScroll > 0 ? ", scrolled up " + ui.eventsScroll : "");
        painter.rule(0, top, title, painter.width());
        int scroll = Math.max(0, Math.min(ui.eventsScroll, Math.max(0, entries.size() - rows)));
        ui.eventsScroll = scroll;
        int end = entries.size() - scroll;
        int start = Math.max(0, end - rows);
        for (int i = start; i < end; i++) {
            line(
                    painter,
                    frame,
                    top + 1 + (i - start),
                    entries.get(i).event(),
                    entries.get(i).line());
        }
        if (entries.isEmpty()) {
            painter.text(1, top + 1, ui.filter.isEmpty() ? "no events yet" : "no event matches the filter", Role.DIM);
        }
        if (ui.editingFilter) {
            painter.bar(painter.height() - 2, "/" + ui.filter + "_", Role.SELECTED);
        }
    }

    /** {@code 03:00:27 BREACH  standby-lag: lag 12s > 6s -> pause}, the tag in the colour of its news. */
    static void line(Painter painter, Frame frame, int row, EngineEvent event, RunLines.Line line) {
        int at = painter.text(0, row, SECONDS.withZone(frame.zone()).format(event.at()) + " ", Role.DIM);
        at += painter.text(at, row, painter.column(line.tag(), 8), role(line.tag()));
        painter.text(at, row, line.text(), Role.NORMAL);
    }

    private static Role role(String tag) {
        return switch (tag) {
            case "BREACH", "FAILED" -> Role.BAD;
            case "ok", "clear" -> Role.OK;
            case "decide", "approve" -> Role.TITLE;
            case "state", "recover" -> Role.WARN;
            default -> Role.DIM;
        };
    }
}
