package dev.lockstep.tui.console;

import dev.lockstep.probe.BlockingRoot;
import dev.lockstep.probe.LockWait;
import dev.lockstep.probe.Locks;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.tui.Units;
import dev.lockstep.tui.console.Look.Role;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Pane 2, the locks: every blocking root (idle in transaction first, then by how many queue behind it) with
 * its state, transaction age, the lock it holds and its query, and under it every session queued behind it
 * with its wait, the lock mode it asks for, the relation and its query. Lockstep's own sessions are marked. The
 * arrows select a session; the selected one's query is shown whole at the bottom.
 */
final class LocksPane {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private LocksPane() {}

    /**
     * One session of the pane, as the operator picks it: everything a cancel or terminate dialog names, frozen
     * when the dialog opens.
     */
    record Session(
            int pid,
            String user,
            String application,
            String state,
            String query,
            boolean root,
            int depth,
            String summary,
            String mark) {

        /** {@code pid 4242 (alice, billing, idle in transaction)}. */
        String who() {
            return "pid " + pid + " (" + (user == null ? "?" : user)
                    + (application == null || application.isBlank() ? "" : ", " + application)
                    + (state == null ? "" : ", " + state) + ")";
        }
    }

    /** The sessions in the order the pane lists them. */
    static List<Session> sessions(Snapshot snapshot) {
        List<Session> sessions = new ArrayList<>();
        if (snapshot == null || snapshot.locks().isEmpty()) {
            return sessions;
        }
        Locks locks = snapshot.locks().get();
        Map<Integer, LockWait> waits = new HashMap<>();
        locks.waiting().forEach(wait -> waits.put(wait.pid(), wait));
        List<BlockingRoot> roots = new ArrayList<>(locks.roots());
        roots.sort(Comparator.comparing((BlockingRoot root) -> !"idle in transaction".equals(root.state()))
                .thenComparing(
                        Comparator.comparingInt(BlockingRoot::sessionsBlocked).reversed()));
        Set<Integer> shown = new LinkedHashSet<>();
        for (BlockingRoot root : roots) {
            shown.add(root.pid());
            sessions.add(new Session(
                    root.pid(),
                    root.user(),
                    root.application(),
                    root.state(),
                    root.query(),
                    true,
                    0,
                    (root.state() == null ? "ended" : root.state())
                            + (root.xactAgeSeconds() == null ? "" : " " + Units.seconds(root.xactAgeSeconds()))
                            + (root.holds() == null ? "" : " holds " + root.holds()) + ", blocks "
                            + root.sessionsBlocked(),
                    mark(root.application())));
            for (int waiter : root.blocking()) {
                add(waiter, 1, waits, shown, sessions);
            }
        }
        for (LockWait wait : locks.waiting()) {
            add(wait.pid(), 1, waits, shown, sessions);
        }
        return sessions;
    }

    /** A waiter and, under it, the sessions queued behind it; each session once. */
    private static void add(int pid, int depth, Map<Integer, LockWait> waits, Set<Integer> shown, List<Session> into) {
        LockWait wait = waits.get(pid);
        if (wait == null || !shown.add(pid)) {
            return;
        }
        into.add(new Session(
                wait.pid(),
                wait.user(),
                wait.application(),
                wait.state(),
                wait.query(),
                false,
                depth,
                "waits " + (wait.waitStartApproximate() ? "~" : "") + Units.seconds(wait.waitSeconds()) + " for "
                        + wait.mode() + (wait.relation() == null ? "" : " on " + wait.relation())
                        + (wait.pendingAccessExclusive() ? ", EVERY LATER QUERY ON IT QUEUES" : ""),
                mark(wait.application())));
        for (int behind : wait.blocking()) {
            add(behind, depth + 1, waits, shown, into);
        }
    }

    /** Lockstep's own sessions, and its drills, are marked; anyone else's are not. */
    private static String mark(String application) {
        if (application == null || !application.startsWith("lockstep-")) {
            return "";
        }
        return application.startsWith("lockstep-drill") ? "[drill]" : "[Lockstep]";
    }

    /** The selected session: the one with the selected pid, else the first. */
    static Optional<Session> selected(Frame frame) {
        List<Session> sessions = sessions(frame.snapshot());
        return sessions.stream()
                .filter(session -> session.pid() == frame.ui().selectedPid)
                .findFirst()
                .or(() -> sessions.stream().findFirst());
    }

    static void draw(Painter painter, Frame frame) {
        Snapshot snapshot = frame.snapshot();
        int top = Chrome.TOP;
        if (snapshot == null) {
            painter.rule(0, top, "LOCKS (not sampled yet)", painter.width());
            return;
        }
        if (snapshot.locks().isEmpty()) {
            painter.rule(0, top, "LOCKS", painter.width());
            painter.text(1, top + 1, "unknown: " + snapshot.lockWaitSeconds().unknownReason(), Role.BAD);
            return;
        }
        Locks locks = snapshot.locks().get();
        painter.rule(
                0,
                top,
                "LOCKS " + locks.waiting().size() + " waiting"
                        + (locks.waiting().isEmpty()
                                ? ""
                                : ", longest "
                                        + Units.seconds(
                                                locks.longestWaitSeconds().orElse(0)))
                        + " (sampled " + SECONDS.withZone(frame.zone()).format(snapshot.takenAt())
                        + (frame.ui().dialog != null ? ", selection frozen" : "") + ")",
                painter.width());
        List<Session> sessions = sessions(snapshot);
        if (sessions.isEmpty()) {
            painter.text(1, top + 1, "nobody waits for a lock in this database", Role.OK);
            return;
        }
        int detailRows = 3;
        int rows = painter.height() - 1 - (top + 1) - detailRows - 1;
        Optional<Session> selected = selected(frame);
        int index = selected.map(sessions::indexOf).orElse(0);
        int first = Math.max(0, Math.min(index - rows / 2, sessions.size() - rows));
        for (int i = 0; i < rows && first + i < sessions.size(); i++) {
            Session session = sessions.get(first + i);
            boolean isSelected = selected.isPresent() && selected.get().pid() == session.pid();
            row(painter, top + 1 + i, session, isSelected);
        }
        int detail = painter.height() - 1 - detailRows - 1;
        painter.rule(0, detail, "SELECTED", painter.width());
        selected.ifPresent(session -> {
            painter.text(
                    1, detail + 1, session.who() + (session.mark().isEmpty() ? "" : "  " + session.mark()), Role.TITLE);
            String query = Units.clean(session.query());
            int width = painter.width() - 2;
            painter.text(1, detail + 2, query.isEmpty() ? "(no query)" : query, width, Role.NORMAL);
            if (query.length() > width) {
                painter.text(1, detail + 3, query.substring(width - 1), width, Role.NORMAL);
            }
        });
    }

    /** What it does and holds or waits for first, who it is last: at 80 columns the end is what gets cut. */
    private static void row(Painter painter, int row, Session session, boolean selected) {
        String indent = session.root() ? "ROOT " : "  ".repeat(session.depth()) + "<- ";
        String text = indent + session.pid() + " " + (session.mark().isEmpty() ? "" : session.mark() + " ")
                + session.summary() + " | " + (session.user() == null ? "?" : session.user())
                + (session.application() == null || session.application().isBlank() ? "" : " " + session.application());
        if (selected) {
            painter.bar(row, ">" + text, Role.SELECTED);
        } else {
            painter.text(1, row, text, session.root() ? Role.BAD : Role.NORMAL);
        }
    }
}
