package dev.lockstep.tui.plain;

import dev.lockstep.probe.Activity;
import dev.lockstep.probe.BlockingRoot;
import dev.lockstep.probe.LockWait;
import dev.lockstep.probe.Locks;
import dev.lockstep.probe.PartStatus;
import dev.lockstep.probe.PreparedTransaction;
import dev.lockstep.probe.Progress;
import dev.lockstep.probe.ReplicationConnection;
import dev.lockstep.probe.ReplicationSlot;
import dev.lockstep.probe.ServerSnapshot;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.probe.StandbyLag;
import dev.lockstep.tui.LedgerText;
import dev.lockstep.tui.Units;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The plain watch view: one block of short ASCII lines per snapshot, for a tmux log, a dumb terminal or a
 * pipe. Every line fits the given width; the block starts with "==" so a log is easy to scan.
 */
public final class WatchLines {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final int MAX_TREE_LINES = 12;

    private final int width;
    private final ZoneId zone;

    public WatchLines(int width, ZoneId zone) {
        this.width = Math.max(40, width);
        this.zone = zone;
    }

    public List<String> render(Snapshot snapshot) {
        List<String> lines = new ArrayList<>();
        ServerSnapshot primary = snapshot.primary();
        String time = TIME.withZone(zone).format(snapshot.takenAt());
        if (!primary.reachable()) {
            lines.add("== " + time + " primary UNREACHABLE since "
                    + TIME.withZone(zone).format(primary.unreachableSince()) + ": " + primary.unreachableReason());
        } else {
            lines.add(header(time, snapshot, primary));
            if (primary.ledgers() != null) {
                primary.ledgers().forEach(ledger -> lines.add("ledger " + LedgerText.line(ledger)));
            }
            locks(primary.locks(), lines);
        }
        replication(snapshot, lines);
        if (primary.reachable()) {
            progress(primary.progress(), lines);
            transactions(primary.activity(), lines);
            partsNotOk(primary, lines);
        }
        for (ServerSnapshot standby : snapshot.standbys()) {
            if (standby.reachable()) {
                partsNotOk(standby, lines);
            }
        }
        return lines.stream().map(this::fit).toList();
    }

    private String header(String time, Snapshot snapshot, ServerSnapshot primary) {
        StringBuilder header = new StringBuilder("== ").append(time).append(" primary");
        if (primary.server() != null) {
            header.append(" pg ")
                    .append(primary.server().version())
                    .append(' ')
                    .append(primary.server().database());
        }
        Activity activity = primary.activity();
        if (activity != null) {
            header.append(" | sessions ")
                    .append(activity.summary().clientSessions())
                    .append(" active ")
                    .append(activity.summary().active())
                    .append(" idle-in-tx ")
                    .append(activity.summary().idleInTransaction());
        }
        header.append(" | ").append(Math.round(snapshot.durationMs())).append(" ms");
        return header.toString();
    }

    private void locks(Locks locks, List<String> lines) {
        if (locks == null) {
            return;
        }
        if (locks.waiting().isEmpty()) {
            lines.add("locks: no waits");
            return;
        }
        lines.add("locks: " + locks.waiting().size() + " waiting, longest "
                + Units.seconds(locks.longestWaitSeconds().orElse(0)) + ", "
                + locks.roots().size() + " blocking root"
                + (locks.roots().size() == 1 ? "" : "s"));
        Map<Integer, LockWait> waitByPid = new HashMap<>();
        locks.waiting().forEach(wait -> waitByPid.put(wait.pid(), wait));
        Set<Integer> shown = new HashSet<>();
        List<String> tree = new ArrayList<>();
        for (BlockingRoot root : locks.roots()) {
            tree.add(" root " + (root.preparedTransaction() ? "prepared xact" : root.pid()) + " "
                    + (root.state() == null ? "(gone)" : root.state())
                    + (root.xactAgeSeconds() == null ? "" : " xact " + Units.seconds(root.xactAgeSeconds()))
                    + " blocks " + root.sessionsBlocked() + " depth " + root.depth()
                    + (root.user() == null ? "" : " " + root.user()) + query(root.query()));
            for (int waiter : root.blocking()) {
                branch(waiter, 2, waitByPid, shown, tree);
            }
        }
        for (LockWait wait : locks.waiting()) {
            if (!shown.contains(wait.pid())) {
                branch(wait.pid(), 1, waitByPid, shown, tree);
            }
        }
        if (tree.size() > MAX_TREE_LINES) {
            int hidden = tree.size() - MAX_TREE_LINES;
            tree = new ArrayList<>(tree.subList(0, MAX_TREE_LINES));
            tree.add("   ... " + hidden + " more");
        }
        lines.addAll(tree);
    }

    private void branch(int pid, int depth, Map<Integer, LockWait> waitByPid, Set<Integer> shown, List<String> tree) {
        LockWait wait = waitByPid.get(pid);
        if (wait == null || !shown.add(pid)) {
            return;
        }
        String indent = " ".repeat(depth);
        // what matters first: who, how long, whether it holds up a queue; names and query text may be cut
        String what = wait.pendingAccessExclusive()
                ? "PENDING ACCESS EXCLUSIVE (queue " + wait.blocking().size() + ")"
                : shortMode(wait.mode());
        tree.add(indent + "<- " + pid + " " + (wait.waitStartApproximate() ? "~" : "")
                + Units.seconds(wait.waitSeconds())
                + " " + what + " " + (wait.relation() == null ? wait.lockType() : wait.relation())
                + query(wait.query()));
        for (int waiter : wait.blocking()) {
            branch(waiter, depth + 1, waitByPid, shown, tree);
        }
    }

    private void replication(Snapshot snapshot, List<String> lines) {
        List<ReplicationConnection> connections = snapshot.primary().replication();
        if (connections != null) {
            for (ReplicationConnection connection : connections) {
                lines.add("repl " + connection.applicationName() + " " + connection.state() + "/"
                        + connection.syncState() + ": replay " + lagSeconds(connection) + " "
                        + bytes(connection.replayLagBytes()) + ", flush " + bytes(connection.flushLagBytes()));
            }
        }
        List<ReplicationSlot> slots = snapshot.primary().replicationSlots();
        if (slots != null) {
            for (ReplicationSlot slot : slots) {
                lines.add("slot " + slot.slotName() + " " + slot.slotType() + (slot.active() ? " active" : " INACTIVE")
                        + " " + slot.walStatus() + " retains " + bytes(slot.retainedBytes())
                        + (slot.safeWalSizeBytes() == null ? "" : " safe " + bytes(slot.safeWalSizeBytes())));
            }
        }
        for (int index = 0; index < snapshot.standbyLag().size(); index++) {
            StandbyLag lag = snapshot.standbyLag().get(index);
            ServerSnapshot standby = snapshot.standbys().get(index);
            StringBuilder line = new StringBuilder(lag.label()).append(": ");
            switch (lag.state()) {
                case CAUGHT_UP -> line.append("caught up, lag 0 s");
                case LAGGING -> line.append("LAGGING ")
                        .append(lag.lagSeconds() == null ? "? s" : Units.seconds(lag.lagSeconds()));
                default -> line.append(
                                lag.state().toString().toUpperCase(Locale.ROOT).replace('_', ' '))
                        .append(", lag unknown");
            }
            line.append(", ").append(bytes(lag.lagBytes()));
            if (lag.replayPaused()) {
                line.append(", REPLAY PAUSED");
            }
            if (standby.recovery() != null && standby.recovery().sinceLastMessageSeconds() != null) {
                line.append(", last msg ")
                        .append(Units.seconds(standby.recovery().sinceLastMessageSeconds()))
                        .append(" ago");
            }
            if (lag.reason() != null) {
                line.append(" (").append(lag.reason()).append(')');
            }
            lines.add(line.toString());
        }
    }

    private void progress(Progress progress, List<String> lines) {
        if (progress == null) {
            return;
        }
        if (progress.createIndex() != null) {
            for (Progress.CreateIndexProgress index : progress.createIndex()) {
                String lockers = index.lockersTotal() != null && index.lockersTotal() > 0
                        ? " lockers " + index.lockersDone() + "/" + index.lockersTotal()
                                + (index.currentLockerPid() == null ? "" : " waiting for " + index.currentLockerPid())
                        : "";
                lines.add("progress " + index.pid() + " " + index.command() + " " + index.indexName() + " on "
                        + index.relation() + ": " + index.phase() + lockers
                        + percent(index.blocksDone(), index.blocksTotal()));
            }
        }
        if (progress.vacuum() != null) {
            for (Progress.VacuumProgress vacuum : progress.vacuum()) {
                lines.add("progress " + vacuum.pid() + " VACUUM " + vacuum.relation() + ": " + vacuum.phase()
                        + percent(vacuum.heapBlksScanned(), vacuum.heapBlksTotal()));
            }
        }
        if (progress.cluster() != null) {
            for (Progress.ClusterProgress cluster : progress.cluster()) {
                lines.add("progress " + cluster.pid() + " " + cluster.command() + " " + cluster.relation() + ": "
                        + cluster.phase() + percent(cluster.heapBlksScanned(), cluster.heapBlksTotal()));
            }
        }
        if (progress.copy() != null) {
            for (Progress.CopyProgress copy : progress.copy()) {
                lines.add("progress " + copy.pid() + " " + copy.command() + " " + copy.relation() + ": "
                        + copy.tuplesProcessed() + " rows " + bytes(copy.bytesProcessed())
                        + percent(copy.bytesProcessed(), copy.bytesTotal()));
            }
        }
    }

    private void transactions(Activity activity, List<String> lines) {
        if (activity == null) {
            return;
        }
        Double oldest = activity.summary().oldestXactSeconds();
        lines.add("xacts: oldest " + (oldest == null ? "none" : Units.seconds(oldest)) + ", xmin age "
                + (activity.summary().oldestXminAgeXids() == null
                        ? "-"
                        : activity.summary().oldestXminAgeXids())
                + ", long/idle-in-tx " + activity.longTransactions().size()
                + (activity.preparedTransactions() == null
                        ? ""
                        : ", prepared " + activity.preparedTransactions().size()));
        activity.longTransactions().stream()
                .limit(3)
                .forEach(transaction -> lines.add(" " + transaction.pid() + " " + transaction.state() + " xact "
                        + Units.seconds(transaction.xactAgeSeconds()) + " " + transaction.user()
                        + query(transaction.query())));
        if (activity.preparedTransactions() != null) {
            for (PreparedTransaction prepared : activity.preparedTransactions()) {
                lines.add(" prepared " + prepared.gid() + " " + Units.seconds(prepared.ageSeconds()) + " "
                        + prepared.owner());
            }
        }
    }

    private static void partsNotOk(ServerSnapshot server, List<String> lines) {
        server.parts().forEach((name, status) -> {
            if (status.state() != PartStatus.State.OK && status.state() != PartStatus.State.OFF) {
                lines.add(server.label() + " " + name + " " + status.state() + ": " + status.reason());
            }
        });
    }

    private static String lagSeconds(ReplicationConnection connection) {
        if (connection.replayLagSeconds() != null) {
            return Units.seconds(connection.replayLagSeconds());
        }
        return connection.lagState();
    }

    private static String shortMode(String mode) {
        return mode == null ? "?" : mode.replace("Lock", "");
    }

    private static String query(String query) {
        if (query == null || query.isBlank()) {
            return "";
        }
        return " [" + query.strip().replaceAll("\\s+", " ") + "]";
    }

    static String bytes(Long bytes) {
        return bytes == null ? "? B" : Units.bytes(bytes);
    }

    private static String percent(Long done, Long total) {
        if (done == null || total == null || total <= 0) {
            return "";
        }
        return String.format(Locale.ROOT, " %.0f%%", 100.0 * done / total);
    }

    private String fit(String line) {
        String ascii = line.replaceAll("[^\\x20-\\x7e]", "?");
        return ascii.length() <= width ? ascii : ascii.substring(0, width - 1) + ">";
    }
}
