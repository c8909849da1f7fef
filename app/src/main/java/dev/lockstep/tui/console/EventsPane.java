package dev.lockstep.tui.console;

import dev.lockstep.engine.EngineEvent;
import dev.lockstep.tui.FailureText;
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

    /** Columns before an event's text: its time and its tag. */
    private static final int TEXT_AT = 9 + 8;

    /**
     * The run's lines; under a failure, its meaning, every fact and every option with why (not), wrapped to
     * {@code width}: the failure dialog shows the first few facts and sends the operator here for the rest.
     */
    static List<Entry> entries(Frame frame, int width) {
        RunLines describe = new RunLines(frame.zone(), false);
        List<Entry> entries = new ArrayList<>();
        for (EngineEvent event : frame.run().recent()) {
            Optional<RunLines.Line> line = describe.describe(event);
            if (line.isEmpty()) {
                continue;
            }
            List<Entry> lines = new ArrayList<>();
            lines.add(new Entry(event, line.get()));
            if (event instanceof EngineEvent.FailureFound found) {
                for (String detail : FailureText.details(found.diagnosis())) {
                    for (String piece : Dialog.wrap(detail, Math.max(20, width - TEXT_AT - 2))) {
                        lines.add(new Entry(event, new RunLines.Line("", "  " + piece)));
                    }
                }
            }
            lines.stream().filter(entry -> entry.matches(frame.ui().filter)).forEach(entries::add);
        }
        return entries;
    }

    static void draw(Painter painter, Frame frame) {
        ConsoleState ui = frame.ui();
        List<Entry> entries = entries(frame, painter.width());
        int top = Chrome.TOP;
        int rows = painter.height() - 1 - top - 1;
        // Home scrolls "up 100000": the title says how far it really is
        int scroll = Math.max(0, Math.min(ui.eventsScroll, Math.max(0, entries.size() - rows)));
        ui.eventsScroll = scroll;
        // events, not lines: a failure's detail lines belong to its one event
        String title = "EVENTS " + entries.stream().map(Entry::event).distinct().count()
                + (ui.filter.isEmpty() ? "" : " matching \"" + ui.filter + "\"")
                + (ui.editingFilter ? " (typing the filter)" : "")
                + (ui.eventsScroll > 0 ? ", scrolled up " + ui.eventsScroll : "");
        painter.rule(0, top, title, painter.width());
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
        // a failure's detail lines continue its line: no time of their own
        int at = painter.text(
                0,
                row,
                line.tag().isEmpty()
                        ? " ".repeat(9)
                        : SECONDS.withZone(frame.zone()).format(event.at()) + " ",
                Role.DIM);
        at += painter.text(at, row, painter.column(line.tag(), 8), role(line.tag()));
        painter.text(at, row, line.text(), Role.NORMAL);
    }

    private static Role role(String tag) {
        return switch (tag) {
            case "BREACH", "FAILED", "FOUND" -> Role.BAD;
            case "ok", "clear" -> Role.OK;
            case "decide", "approve" -> Role.TITLE;
            case "state", "recover" -> Role.WARN;
            default -> Role.DIM;
        };
    }
}
