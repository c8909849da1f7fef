package dev.lockstep.engine;

import dev.lockstep.criteria.ActivitySignalSource;
import dev.lockstep.criteria.Criterion;
import dev.lockstep.criteria.CustomSqlSignalSource;
import dev.lockstep.criteria.ReconnectingSignals;
import dev.lockstep.criteria.ReplicationSignalSource;
import dev.lockstep.criteria.Sampler;
import dev.lockstep.criteria.SignalRef;
import dev.lockstep.criteria.SignalSource;
import dev.lockstep.criteria.Signals;
import dev.lockstep.criteria.StopCriteriaEvaluator;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.PgSessions;
import dev.lockstep.pg.SessionLimits;
import dev.lockstep.runbook.StopCriterion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Wires a runbook's stop criteria to real signals: a dedicated monitoring session on the primary (reopened
 * when lost) for lock waits, blocked sessions, sessions queued behind ours, the oldest transaction and the
 * custom SQL signals; the replication signals (from the given standbys, or from the primary's view of its
 * standbys); and the engine's own signals. Every source is read even when no criterion watches it, because
 * the timeline's samples chart them.
 */
public final class RunCriteria {

    private static final Duration MONITOR_RETRY = Duration.ofSeconds(2);

    private RunCriteria() {}

    public static CriteriaDirectives start(
            List<StopCriterion> declared,
            ConnectionSettings primary,
            List<ConnectionSettings> standbys,
            EngineGauges gauges,
            Sampler.Settings settings) {
        StopCriteriaEvaluator evaluator = new StopCriteriaEvaluator(Criterion.fromRunbook(declared));
        List<SignalRef.Sql> sqlSignals = evaluator.sqlSignals();
        Set<String> monitorKeys = new HashSet<>(Set.of(
                Signals.LOCK_WAIT_SECONDS,
                Signals.BLOCKED_SESSIONS,
                Signals.BLOCKED_BY_US,
                Signals.OLDEST_XACT_SECONDS));
        sqlSignals.forEach(signal -> monitorKeys.add(signal.key()));
        ReconnectingSignals monitor = new ReconnectingSignals(
                () -> PgSessions.open(primary, SessionLimits.monitor()),
                connection -> List.of(
                        new ActivitySignalSource(connection, gauges::ownPids),
                        new CustomSqlSignalSource(connection, sqlSignals)),
                monitorKeys,
                MONITOR_RETRY);
        List<ReconnectingSignals.Opener> standbyOpeners = new ArrayList<>();
        for (ConnectionSettings standby : standbys) {
            standbyOpeners.add(() -> PgSessions.open(standby, SessionLimits.monitor()));
        }
        ReplicationSignalSource replication = new ReplicationSignalSource(monitor::connection, standbyOpeners);
        return CriteriaDirectives.start(
                evaluator, List.of(monitor, replication, SignalSource.engine(gauges)), settings);
    }
}
