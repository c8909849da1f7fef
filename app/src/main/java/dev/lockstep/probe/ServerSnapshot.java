package dev.lockstep.probe;

import dev.lockstep.pg.ServerIdentity;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one server looked like at one tick. When it is unreachable, {@code unreachableSince} and {@code
 * unreachableReason} say since when and why and every part is null. A part that is off, timed out or failed
 * is null too; {@code parts} says which and why, with each part's client-side duration. {@code server} is
 * the identity read when the monitoring connection was (re)opened. {@code ledgers} lists the migration
 * tools' ledgers found on the database (empty when there is none; null when the part was not read).
 */
public record ServerSnapshot(
        String label,
        String target,
        Instant takenAt,
        boolean reachable,
        Instant unreachableSince,
        String unreachableReason,
        ServerIdentity server,
        Instant serverTime,
        Map<String, PartStatus> parts,
        Locks locks,
        Activity activity,
        Recovery recovery,
        List<ReplicationConnection> replication,
        List<ReplicationSlot> replicationSlots,
        Progress progress,
        List<MigrationLedger> ledgers) {

    public ServerSnapshot {
        parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
        replication = replication == null ? null : List.copyOf(replication);
        replicationSlots = replicationSlots == null ? null : List.copyOf(replicationSlots);
        ledgers = ledgers == null ? null : List.copyOf(ledgers);
    }

    public PartStatus part(String name) {
        return parts.get(name);
    }

    /** "the primary is unreachable since T (reason)", for a server that is; null for a reachable one. */
    public String whyUnreachable() {
        if (reachable) {
            return null;
        }
        return "the " + label + " is unreachable"
                + (unreachableSince == null ? "" : " since " + unreachableSince)
                + (unreachableReason == null ? "" : " (" + unreachableReason + ")");
    }
}
