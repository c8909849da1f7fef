package dev.lockstep.engine;

import dev.lockstep.criteria.Criterion;
import dev.lockstep.criteria.CustomSqlSignals;
import dev.lockstep.criteria.Sampler;
import dev.lockstep.criteria.SignalSource;
import dev.lockstep.criteria.StopCriteriaEvaluator;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.probe.ProbeOptions;
import dev.lockstep.probe.WatchProbe;
import dev.lockstep.runbook.StopCriterion;
import java.util.List;

/**
 * Wires a runbook's stop criteria to real signals: the database signals from a {@link WatchProbe} snapshot of
 * the primary and each standby taken every sampling interval (the snapshot {@code lockstep watch} shows), the
 * custom SQL signals over the probe's session on the primary, and the engine's own signals. Every signal is
 * read even when no criterion watches it, because the timeline's samples chart them.
 *
 * <p>A snapshot costs about 14 ms of database time at 500 sessions: at the default interval of a second that is
 * noise, and shorter intervals are for tests against small databases.
 */
final class RunCriteria {

    private RunCriteria() {}

    public static CriteriaDirectives start(
            List<StopCriterion> declared,
            ConnectionSettings primary,
            List<ConnectionSettings> standbys,
            EngineGauges gauges,
            Sampler.Settings settings) {
        StopCriteriaEvaluator evaluator = new StopCriteriaEvaluator(Criterion.fromRunbook(declared));
        WatchProbe probe = WatchProbe.open(primary, standbys, ProbeOptions.defaults());
        ProbeSignalSource database =
                new ProbeSignalSource(probe, gauges::ownPids, new CustomSqlSignals(evaluator.sqlSignals()));
        try {
            return CriteriaDirectives.start(
                    evaluator, List.of(database, SignalSource.engine(gauges)), database::latest, settings);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }
}
