package dev.lockstep.tui.console;

import dev.lockstep.probe.ReplicationConnection;
import dev.lockstep.probe.ReplicationSlot;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.probe.StandbyLag;
import dev.lockstep.tui.Units;
import dev.lockstep.tui.console.Look.Role;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Pane 3, replication: each standby's lag in time and bytes with a sparkline of the last minutes, whether its
 * replay is paused, and where the figure comes from; the primary's replication connections; the slots and the
 * WAL they hold back.
 */
final class ReplicationPane {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private ReplicationPane() {}

    static void draw(Painter painter, Frame frame) {
        Snapshot snapshot = frame.snapshot();
        int row = Chrome.TOP;
        if (snapshot == null) {
            painter.rule(0, row, "REPLICATION (not sampled yet)", painter.width());
            return;
        }
        painter.rule(
                0,
                row++,
                "STANDBYS (sampled " + SECONDS.withZone(frame.zone()).format(snapshot.takenAt()) + ")",
                painter.width());
        if (snapshot.standbyLag().isEmpty()) {
            painter.text(1, row++, "no --standby given: the lag below is what the primary reports", Role.DIM);
        }
        int sparkWidth = Math.max(10, painter.width() - 52);
        for (StandbyLag lag : snapshot.standbyLag()) {
            Role role = lag.lagSeconds() == null ? Role.BAD : lag.replayPaused() ? Role.WARN : Role.NORMAL;
            String figures = painter.column(lag.label(), 10)
                    + painter.column(lag.lagSeconds() == null ? "unknown" : Units.seconds(lag.lagSeconds()), 9)
                    + painter.column(lag.lagBytes() == null ? "?" : Units.bytes(lag.lagBytes()), 11)
                    + painter.column(lag.replayPaused() ? "REPLAY PAUSED" : "replaying", 14);
            int at = painter.text(1, row, figures, role);
            painter.text(
                    1 + at,
                    row++,
                    frame.lag()
                            .sparkline(lag.label(), sparkWidth, painter.look().levels()),
                    Role.DIM);
            String why = lag.reason() != null ? lag.reason() : lag.lagSource() == null ? "" : "from " + lag.lagSource();
            if (!why.isEmpty()) {
                painter.text(3, row++, why, Role.DIM);
            }
        }
        List<ReplicationConnection> connections = snapshot.primary().replication();
        painter.rule(0, row++, "PRIMARY'S REPLICATION CONNECTIONS", painter.width());
        if (connections == null) {
            painter.text(1, row++, "unknown: the primary's replication part was not read", Role.BAD);
        } else if (connections.isEmpty()) {
            painter.text(1, row++, "none", Role.DIM);
        } else {
            for (ReplicationConnection connection : connections) {
                painter.text(
                        1,
                        row++,
                        // a name as wide as its column must not run into the state: one blank always
                        painter.column(connection.applicationName(), 15)
                                + " "
                                + painter.column(connection.state(), 11)
                                + " "
                                + "replay lag "
                                + (connection.replayLagSeconds() == null
                                        ? "?"
                                        : Units.seconds(connection.replayLagSeconds()))
                                + ", "
                                + (connection.replayLagBytes() == null ? "?" : Units.bytes(connection.replayLagBytes()))
                                + " behind",
                        Role.NORMAL);
            }
        }
        List<ReplicationSlot> slots = snapshot.primary().replicationSlots();
        painter.rule(0, row++, "SLOTS", painter.width());
        if (slots == null) {
            painter.text(1, row, "unknown: the slots part was not read", Role.BAD);
        } else if (slots.isEmpty()) {
            painter.text(1, row, "no replication slots", Role.DIM);
        } else {
            for (ReplicationSlot slot : slots) {
                if (row >= painter.height() - 1) {
                    break;
                }
                painter.text(
                        1,
                        row++,
                        painter.column(slot.slotName(), 20)
                                + painter.column(slot.slotType(), 10)
                                + painter.column(slot.active() ? "active" : "INACTIVE", 10)
                                + "holds " + (slot.retainedBytes() == null ? "?" : Units.bytes(slot.retainedBytes()))
                                + (slot.walStatus() == null ? "" : ", wal " + slot.walStatus()),
                        slot.active() ? Role.NORMAL : Role.WARN);
            }
        }
    }
}
