package dev.lockstep.engine;

import dev.lockstep.criteria.CustomSqlSignals;
import dev.lockstep.criteria.SignalReading;
import dev.lockstep.criteria.SignalSource;
import dev.lockstep.criteria.Signals;
import dev.lockstep.pg.SessionLimits;
import dev.lockstep.probe.SignalValue;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.probe.WatchProbe;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Every database signal of a run, read from the probe so that the stop criteria see what {@code lockstep watch}
 * shows: each sample takes one {@link WatchProbe} snapshot of the primary and each {@code --standby} (one
 * monitoring session per server for the whole run, reopened with backoff when lost) and reads the built-in
 * signals from it; the runbook's custom SQL signals then run over the primary's same session.
 *
 * <p>A signal the snapshot cannot read (server unreachable, part switched off for lack of privilege or timed
 * out, a standby's lag unknown) is unknown with the snapshot's reason, never 0, so the criterion's unknown
 * policy applies.
 *
 * <p>{@code blocked_by_us} counts the sessions queued behind Lockstep's own working sessions: those labelled
 * {@code lockstep-control}, and the pids the engine names (they change when it reconnects). Not the monitoring
 * sessions, and not a drill's lock holder.
 *
 * <p>It lives in the engine, which wires the probe to the criteria: the criteria only evaluate signals and know
 * nothing of where they come from.
 *
 * <p>Confined to the sampler thread, but for {@link #latest()}.
 */
final class ProbeSignalSource implements SignalSource, AutoCloseable {

    /** The built-in signals a snapshot supplies. */
    public static final Set<String> SNAPSHOT_SIGNALS = Set.of(
            Signals.LOCK_WAIT_SECONDS,
            Signals.BLOCKED_SESSIONS,
            Signals.BLOCKED_BY_US,
            Signals.REPLICATION_LAG_SECONDS,
            Signals.REPLICATION_LAG_BYTES,
            Signals.SLOT_RETAINED_BYTES,
            Signals.OLDEST_XACT_SECONDS);

    /** The label of the sessions that do a run's work. */
    private static final String WORKING_SESSIONS = SessionLimits.control().applicationName();

    private final WatchProbe probe;
    private final Supplier<Set<Integer>> ownPids;
    private final CustomSqlSignals custom;
    private final Set<String> keys;
    private volatile Snapshot latest;

    /**
     * @param probe the probe this source takes its snapshots with; closed with the source
     * @param ownPids the backend pids of the engine's sessions now, in addition to those labelled lockstep-control
     * @param custom the runbook's custom SQL signals (none: an empty list)
     */
    public ProbeSignalSource(WatchProbe probe, Supplier<Set<Integer>> ownPids, CustomSqlSignals custom) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.ownPids = Objects.requireNonNull(ownPids, "ownPids");
        this.custom = Objects.requireNonNull(custom, "custom");
        Set<String> all = new HashSet<>(SNAPSHOT_SIGNALS);
        all.addAll(custom.signals());
        this.keys = Set.copyOf(all);
    }

    @Override
    public Set<String> signals() {
        return keys;
    }

    /** The snapshot the latest sample read; null before the first. Safe from any thread. */
    public Snapshot latest() {
        return latest;
    }

    @Override
    public Map<String, SignalReading> sample() {
        Snapshot snapshot = probe.take();
        latest = snapshot;
        Map<String, SignalReading> readings = readings(snapshot, Set.copyOf(ownPids.get()));
        if (!custom.isEmpty()) {
            readings.putAll(
                    probe.withPrimarySession(custom::read).orElseGet(() -> custom.unknown(primaryDown(snapshot))));
        }
        return readings;
    }

    /** The built-in signals of one snapshot, with {@code ownPids} as the engine's sessions. */
    static Map<String, SignalReading> readings(Snapshot snapshot, Set<Integer> ownPids) {
        Map<String, SignalReading> readings = new LinkedHashMap<>();
        readings.put(Signals.LOCK_WAIT_SECONDS, reading(snapshot.lockWaitSeconds()));
        readings.put(Signals.BLOCKED_SESSIONS, reading(snapshot.blockedSessions()));
        readings.put(Signals.BLOCKED_BY_US, reading(snapshot.blockedBy(ownPids, WORKING_SESSIONS)));
        readings.put(Signals.REPLICATION_LAG_SECONDS, reading(snapshot.replicationLagSeconds()));
        readings.put(Signals.REPLICATION_LAG_BYTES, reading(snapshot.replicationLagBytes()));
        readings.put(Signals.SLOT_RETAINED_BYTES, reading(snapshot.slotRetainedBytes()));
        readings.put(Signals.OLDEST_XACT_SECONDS, reading(snapshot.oldestXactSeconds()));
        return readings;
    }

    private static SignalReading reading(SignalValue value) {
        return value.known() ? SignalReading.of(value.value()) : SignalReading.unknown(value.unknownReason());
    }

    private static String primaryDown(Snapshot snapshot) {
        String unreachable = snapshot.primary().whyUnreachable();
        return (unreachable != null ? unreachable : "the primary's monitoring session is down") + "; reconnecting";
    }

    @Override
    public void close() {
        probe.close();
    }
}
