package dev.lockstep.tui.console;

import dev.lockstep.tui.console.Look.Role;
import java.util.List;

/** {@code ?}: every key, what it does, and what asks for a reason; any key closes it. */
final class HelpPane {

    /** Key and what it does, for a run; the watch console has the read-only ones. */
    static final List<String[]> RUN_KEYS = List.of(
            new String[] {"1 2 3 4", "panes: run, locks, replication, events"},
            new String[] {"Enter", "open the question the run waits on (or the pause's choices)"},
            new String[] {"p", "pause at the next safe point (asks a reason)"},
            new String[] {"r", "resume your pause, or answer 'resume' when a criterion cleared"},
            new String[] {"t", "retune the backfill: batch target and pause (asks a reason)"},
            new String[] {"s", "stop at a safe point, resumable (asks a reason)"},
            new String[] {"A", "abort now: cancel the statement in flight (type the runbook id)"},
            new String[] {"up/down", "locks: select a session; events: scroll (PgUp/PgDn, Home/End)"},
            new String[] {"c  K", "locks: cancel the query / terminate the session selected"},
            new String[] {"/", "events: filter (Enter keeps it, Esc clears it)"},
            new String[] {"Esc", "close a dialog; a question stays pending (the header says ASK)"},
            new String[] {"Ctrl-L", "redraw the screen"},
            new String[] {"Ctrl-C", "stop at a safe point, like SIGINT (no question asked)"},
            new String[] {"q", "quit: while the run goes on, stop it at a safe point first"});

    static final List<String[]> WATCH_KEYS = List.of(
            new String[] {"1 2 3", "panes: database, locks, replication"},
            new String[] {"up/down", "locks: select a session to see its whole query"},
            new String[] {"Ctrl-L", "redraw the screen"},
            new String[] {"q  Ctrl-C", "quit"},
            new String[] {"", "watch changes nothing: cancel a session with lockstep run's console or psql"});

    private HelpPane() {}

    static void draw(Painter painter, Frame frame) {
        List<String[]> keys = frame.run() == null ? WATCH_KEYS : RUN_KEYS;
        int row = Chrome.TOP;
        painter.rule(0, row++, "KEYS (any key closes this)", painter.width());
        for (String[] key : keys) {
            if (row >= painter.height() - 1) {
                break;
            }
            painter.text(1, row, painter.column(key[0], 10), Role.KEY);
            painter.text(12, row++, key[1], Role.NORMAL);
        }
        if (row < painter.height() - 2) {
            // whole at 80 columns (78 characters): the line that says commands are evidence must not be cut
            painter.text(
                    1,
                    ++row,
                    "Each command goes into the timeline with your name and reason before it acts.",
                    Role.DIM);
        }
    }
}
