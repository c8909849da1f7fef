package dev.lockstep.probe;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One tick of the probes: the primary, each standby given on the command line and one honest lag figure per
 * standby. Immutable; the stop criteria and the renderers read the same value.
 *
 * <p>The signal methods return empty when the signal cannot be read this tick (primary unreachable, part
 * off or timed out, a standby's lag unknown): the caller decides what unknown means (the runbook default is
 * "breached").
 */
public record Snapshot(
        Instant takenAt,
        double durationMs,
        ServerSnapshot primary,
        List<ServerSnapshot> standbys,
        List<StandbyLag> standbyLag) {

    public Snapshot {
        standbys = List.copyOf(standbys);
        standbyLag = List.copyOf(standbyLag);
    }

    public Optional<Locks> locks() {
        return Optional.ofNullable(primary.locks());
    }

    /** lock_wait_seconds: the longest current lock wait in the database (0 when nobody waits). */
    public OptionalDouble lockWaitSeconds() {
        return locks().map(locks -> OptionalDouble.of(locks.longestWaitSeconds().orElse(0.0)))
                .orElse(OptionalDouble.empty());
    }

    /** blocked_sessions: sessions waiting for a lock. */
    public OptionalInt blockedSessions() {
        return locks().map(locks -> OptionalInt.of(locks.waiting().size())).orElse(OptionalInt.empty());
    }

    /** blocked_by_us: sessions queued behind {@code pids} (Lockstep's own sessions), transitively. */
    public OptionalInt blockedBy(Set<Integer> pids) {
        return locks().map(locks -> OptionalInt.of(locks.blockedBy(pids))).orElse(OptionalInt.empty());
    }

    /**
     * replication_lag_seconds: the worst standby. With {@code --standby} servers, their {@link LagRule}
     * figures (unknown if any is unknown); without, the primary's pg_stat_replication replay lag (a standby
     * that replayed everything counts 0; a NULL lag otherwise is unknown). Empty when there is no standby at
     * all.
     */
    public OptionalDouble replicationLagSeconds() {
        if (!standbyLag.isEmpty()) {
            double worst = 0;
            for (StandbyLag lag : standbyLag) {
                if (lag.lagSeconds() == null) {
                    return OptionalDouble.empty();
                }
                worst = Math.max(worst, lag.lagSeconds());
            }
            return OptionalDouble.of(worst);
        }
        List<ReplicationConnection> connections = primary.replication();
        if (connections == null || connections.isEmpty()) {
            return OptionalDouble.empty();
        }
        double worst = 0;
        for (ReplicationConnection connection : connections) {
            if ("idle".equals(connection.lagState())) {
                continue;
            }
            if (connection.replayLagSeconds() == null) {
                return OptionalDouble.empty();
            }
            worst = Math.max(worst, connection.replayLagSeconds());
        }
        return OptionalDouble.of(worst);
    }

    /** replication_lag_bytes: the worst standby, from the same sources as the seconds. */
    public OptionalLong replicationLagBytes() {
        if (!standbyLag.isEmpty()) {
            long worst = 0;
            for (StandbyLag lag : standbyLag) {
                if (lag.lagBytes() == null) {
                    return OptionalLong.empty();
                }
                worst = Math.max(worst, lag.lagBytes());
            }
            return OptionalLong.of(worst);
        }
        List<ReplicationConnection> connections = primary.replication();
        if (connections == null || connections.isEmpty()) {
            return OptionalLong.empty();
        }
        long worst = 0;
        for (ReplicationConnection connection : connections) {
            if (connection.replayLagBytes() == null) {
                return OptionalLong.empty();
            }
            worst = Math.max(worst, connection.replayLagBytes());
        }
        return OptionalLong.of(worst);
    }

    /** slot_retained_bytes: the most WAL any slot on the primary holds back (0 without slots). */
    public OptionalLong slotRetainedBytes() {
        List<ReplicationSlot> slots = primary.replicationSlots();
        if (slots == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(slots.stream()
                .map(ReplicationSlot::retainedBytes)
                .filter(bytes -> bytes != null)
                .mapToLong(Long::longValue)
                .max()
                .orElse(0L));
    }

    /** oldest_xact_seconds: the oldest open transaction of a client session (0 when none is open). */
    public OptionalDouble oldestXactSeconds() {
        Activity activity = primary.activity();
        if (activity == null) {
            return OptionalDouble.empty();
        }
        Double oldest = activity.summary().oldestXactSeconds();
        return OptionalDouble.of(oldest == null ? 0.0 : oldest);
    }
}
