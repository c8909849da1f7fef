package dev.lockstep.tui.console;

import dev.lockstep.probe.Activity;
import dev.lockstep.probe.LongTransaction;
import dev.lockstep.probe.SessionSummary;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.tui.Units;
import dev.lockstep.tui.console.Look.Role;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Pane 1 when watching without a run: the database at a glance (the run pane's database section with room to
 * spare), then the sessions and the long or idle transactions, oldest first.
 */
final class WatchPane {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private WatchPane() {}

    static void draw(Painter painter, Frame frame) {
        Snapshot snapshot = frame.snapshot();
        int row = Chrome.TOP;
        int last = painter.height() - 2;
        painter.rule(
                0,
                row++,
                "DATABASE"
                        + (snapshot == null
                                ? " (not sampled yet)"
                                : " (sampled " + SECONDS.withZone(frame.zone()).format(snapshot.takenAt()) + ")"),
                painter.width());
        List<RunPane.Line> lines = RunPane.databaseLines(painter, frame);
        int databaseRows = Math.min(lines.size(), Math.max(2, (last - row) / 2));
        for (int i = 0; i < databaseRows; i++) {
            painter.text(1, row++, lines.get(i).text(), lines.get(i).role());
        }
        if (snapshot == null || snapshot.primary().activity() == null) {
            return;
        }
        Activity activity = snapshot.primary().activity();
        SessionSummary summary = activity.summary();
        painter.rule(0, row++, "SESSIONS", painter.width());
        painter.text(
                1,
                row++,
                summary.clientSessions() + " client sessions, " + summary.active() + " active, "
                        + summary.idleInTransaction() + " idle in transaction, " + summary.waitingOnLocks()
                        + " waiting on locks; xmin horizon "
                        + (summary.oldestXminAgeXids() == null ? "?" : Units.count(summary.oldestXminAgeXids()))
                        + " xids old",
                summary.idleInTransaction() > 0 || summary.waitingOnLocks() > 0 ? Role.WARN : Role.NORMAL);
        painter.rule(0, row++, "LONG AND IDLE TRANSACTIONS (oldest first)", painter.width());
        if (activity.longTransactions().isEmpty()) {
            painter.text(1, row, "none", Role.DIM);
            return;
        }
        for (LongTransaction transaction : activity.longTransactions()) {
            if (row > last) {
                break;
            }
            painter.text(
                    1,
                    row++,
                    painter.column("pid " + transaction.pid(), 11)
                            + painter.column(transaction.user(), 10)
                            + painter.column(transaction.state(), 22)
                            + painter.column(Units.seconds(transaction.xactAgeSeconds()), 8)
                            + Units.clean(transaction.query()),
                    "idle in transaction".equals(transaction.state()) ? Role.WARN : Role.NORMAL);
        }
    }
}
