package dev.lockstep.probe;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One tick of the probes: the primary, each standby given on the command line and one honest lag figure per
 * standby. Immutable; the stop criteria and the renderers read the same value.
 *
 * <p>The signal methods ({@code lockWaitSeconds()} ... {@code oldestXactSeconds()}, one per built-in database
 * signal of the runbook format) say why a signal cannot be read this tick (primary unreachable, part off or
 * timed out, a standby's lag unknown) instead of a value; never 0 for unknown. The caller decides what unknown
 * means (the runbook default is "breached").
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

    private static final String NO_STANDBY = "no standby streams from the primary and none was given with --standby";

    public Optional<Locks> locks() {
        return Optional.ofNullable(primary.locks());
    }

    /** lock_wait_seconds: the longest current lock wait in the database (0 when nobody waits). */
    public SignalValue lockWaitSeconds() {
        Locks locks = primary.locks();
        if (locks == null) {
            return SignalValue.unknown(unavailable(primary, ServerProbe.LOCKS));
        }
        return SignalValue.of(locks.longestWaitSeconds().orElse(0.0));
    }

    /** blocked_sessions: sessions waiting for a lock another session holds or is queued for. */
    public SignalValue blockedSessions() {
        Locks locks = primary.locks();
        if (locks == null) {
            return SignalValue.unknown(unavailable(primary, ServerProbe.LOCKS));
        }
        return SignalValue.of(locks.waiting().size());
    }

    /** Sessions queued behind {@code pids}, directly or through other waiters. */
    public SignalValue blockedBy(Set<Integer> pids) {
        return blockedBy(pids, null);
    }

    /**
     * blocked_by_us: sessions queued, directly or through other waiters, behind {@code pids} or behind a
     * session whose application_name is {@code application} (Lockstep's own sessions). Those sessions
     * themselves are not counted, nor is anything queued only behind someone else's lock holder.
     */
    public SignalValue blockedBy(Set<Integer> pids, String application) {
        Locks locks = primary.locks();
        if (locks == null) {
            return SignalValue.unknown(unavailable(primary, ServerProbe.LOCKS));
        }
        return SignalValue.of(locks.blockedBy(pids, application));
    }

    /**
     * replication_lag_seconds: the worst standby. With {@code --standby} servers, their {@link LagRule}
     * figures (unknown if any is unknown: unreachable, not in recovery, stream down or stale); without, the
     * primary's pg_stat_replication replay lag (a standby that replayed everything counts 0; a NULL lag
     * otherwise is unknown). Unknown when there is no standby at all.
     */
    public SignalValue replicationLagSeconds() {
        if (!standbyLag.isEmpty()) {
            double worst = 0;
            List<String> unknown = new ArrayList<>();
            for (StandbyLag lag : standbyLag) {
                if (lag.lagSeconds() == null) {
                    unknown.add(lag.label() + ": " + lag.reason());
                } else {
                    worst = Math.max(worst, lag.lagSeconds());
                }
            }
            return unknown.isEmpty() ? SignalValue.of(worst) : SignalValue.unknown(String.join("; ", unknown));
        }
        List<ReplicationConnection> connections = primary.replication();
        if (connections == null) {
            return SignalValue.unknown(unavailable(primary, ServerProbe.REPLICATION));
        }
        if (connections.isEmpty()) {
            return SignalValue.unknown(NO_STANDBY);
        }
        double worst = 0;
        List<String> unknown = new ArrayList<>();
        for (ReplicationConnection connection : connections) {
            if ("idle".equals(connection.lagState())) {
                continue;
            }
            if (connection.replayLagSeconds() == null) {
                unknown.add(streaming(connection) + " reports no replay lag");
            } else {
                worst = Math.max(worst, connection.replayLagSeconds());
            }
        }
        return unknown.isEmpty() ? SignalValue.of(worst) : SignalValue.unknown(String.join("; ", unknown));
    }

    /**
     * replication_lag_bytes: the worst standby, the primary's WAL position minus the standby's replay
     * position. With {@code --standby} servers, unknown when any of them is unreachable, not in recovery, or
     * its stream is down or stale (the distance no longer says how the standby keeps up); without, from the
     * primary's pg_stat_replication. Unknown when there is no standby at all.
     */
    public SignalValue replicationLagBytes() {
        if (!standbyLag.isEmpty()) {
            long worst = 0;
            List<String> unknown = new ArrayList<>();
            for (StandbyLag lag : standbyLag) {
                if (!lag.streaming() || lag.lagBytes() == null) {
                    unknown.add(lag.label() + ": "
                            + (lag.reason() != null ? lag.reason() : "its replay position is not known"));
                } else {
                    worst = Math.max(worst, lag.lagBytes());
                }
            }
            return unknown.isEmpty() ? SignalValue.of(worst) : SignalValue.unknown(String.join("; ", unknown));
        }
        List<ReplicationConnection> connections = primary.replication();
        if (connections == null) {
            return SignalValue.unknown(unavailable(primary, ServerProbe.REPLICATION));
        }
        if (connections.isEmpty()) {
            return SignalValue.unknown(NO_STANDBY);
        }
        long worst = 0;
        List<String> unknown = new ArrayList<>();
        for (ReplicationConnection connection : connections) {
            if (connection.replayLagBytes() == null) {
                unknown.add(streaming(connection) + " reports no replay position");
            } else {
                worst = Math.max(worst, connection.replayLagBytes());
            }
        }
        return unknown.isEmpty() ? SignalValue.of(worst) : SignalValue.unknown(String.join("; ", unknown));
    }

    /** slot_retained_bytes: the most WAL any slot on the primary holds back (0 without slots). */
    public SignalValue slotRetainedBytes() {
        List<ReplicationSlot> slots = primary.replicationSlots();
        if (slots == null) {
            return SignalValue.unknown(unavailable(primary, ServerProbe.SLOTS));
        }
        return SignalValue.of(slots.stream()
                .map(ReplicationSlot::retainedBytes)
                .filter(bytes -> bytes != null)
                .mapToLong(Long::longValue)
                .max()
                .orElse(0L));
    }

    /** oldest_xact_seconds: the oldest open transaction of a client session (0 when none is open). */
    public SignalValue oldestXactSeconds() {
        Activity activity = primary.activity();
        if (activity == null) {
            return SignalValue.unknown(unavailable(primary, ServerProbe.ACTIVITY));
        }
        Double oldest = activity.summary().oldestXactSeconds();
        return SignalValue.of(oldest == null ? 0.0 : oldest);
    }

    /** Why a part of a server is missing this tick: the server is unreachable, or the part is off or failed. */
    private static String unavailable(ServerSnapshot server, String part) {
        if (!server.reachable()) {
            return server.whyUnreachable();
        }
        PartStatus status = server.part(part);
        if (status == null || status.succeeded()) {
            return "the " + server.label() + "'s " + part + " part was not read";
        }
        return "the " + server.label() + "'s " + part + " part is " + status.state()
                + (status.reason() == null ? "" : ": " + status.reason());
    }

    private static String streaming(ReplicationConnection connection) {
        return "standby " + connection.applicationName() + " (state " + connection.state() + ")";
    }
}
