package dev.lockstep.engine;

import dev.lockstep.criteria.CriterionEvent;
import dev.lockstep.criteria.CriterionStatus;
import dev.lockstep.criteria.Sampler;
import dev.lockstep.criteria.SignalReading;
import dev.lockstep.criteria.SignalSource;
import dev.lockstep.criteria.StopCriteriaEvaluator;
import dev.lockstep.criteria.Verdict;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.runbook.StopAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The runbook's stop criteria as the engine's {@link Directive.Source}: a {@link Sampler} reads the signal
 * sources on its own thread; each verdict becomes a directive, each breach and clear an engine event.
 *
 * <p>The directive handed out is the one of the last verdict whose breach and clear events are already
 * queued, so the engine never acts on a breach it has not yet recorded. Each verdict is also queued as an
 * {@link EngineEvent.Observed} with the probe snapshot it was read from, for the screens: they show what the
 * criteria judged, from the same monitoring sessions.
 */
final class CriteriaDirectives implements Directive.Source, Sampler.Listener, AutoCloseable {

    private final Sampler sampler;
    private final List<SignalSource> sources;
    private final ConcurrentLinkedQueue<EngineEvent> events = new ConcurrentLinkedQueue<>();
    private final Map<String, SignalReading> readings = new ConcurrentHashMap<>();
    private final Supplier<Snapshot> snapshots;
    private volatile Directive current = Directive.NONE;

    private CriteriaDirectives(
            StopCriteriaEvaluator evaluator,
            List<SignalSource> sources,
            Supplier<Snapshot> snapshots,
            Sampler.Settings settings) {
        this.sources = List.copyOf(sources);
        this.snapshots = snapshots;
        List<SignalSource> recorded = sources.stream().map(this::recording).toList();
        this.sampler = new Sampler(evaluator, recorded, this, settings);
    }

    /**
     * Starts sampling; the first sample is taken before this returns.
     *
     * @param snapshots the probe snapshot the latest sample read (null before the first), for the screens
     */
    public static CriteriaDirectives start(
            StopCriteriaEvaluator evaluator,
            List<SignalSource> sources,
            Supplier<Snapshot> snapshots,
            Sampler.Settings settings) {
        CriteriaDirectives directives = new CriteriaDirectives(evaluator, sources, snapshots, settings);
        directives.sampler.start();
        return directives;
    }

    @Override
    public Directive current() {
        // Asking the sampler is what notices a stalled sampler: it then publishes an all-unknown verdict
        // through onVerdict on this thread before returning.
        sampler.currentVerdict();
        return current;
    }

    @Override
    public void release() {
        sampler.release();
    }

    @Override
    public List<EngineEvent> drainEvents() {
        List<EngineEvent> drained = new ArrayList<>();
        EngineEvent event;
        while ((event = events.poll()) != null) {
            drained.add(event);
        }
        return drained;
    }

    @Override
    public Map<String, Double> latestReadings() {
        Map<String, Double> values = new TreeMap<>();
        readings.forEach((key, reading) -> {
            if (reading instanceof SignalReading.Value value) {
                values.put(key, value.value());
            }
        });
        return values;
    }

    @Override
    public void onTransition(CriterionEvent event, Verdict verdict) {
        events.add(
                event.kind() == CriterionEvent.Kind.BREACH
                        ? new EngineEvent.Breach(event.at(), event)
                        : new EngineEvent.Clear(event.at(), event));
    }

    @Override
    public void onVerdict(Verdict verdict) {
        events.add(new EngineEvent.Observed(verdict.at(), snapshots.get(), verdict.statuses(), readings));
        current = directiveOf(verdict);
    }

    @Override
    public void close() {
        sampler.close();
        for (SignalSource source : sources) {
            if (source instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // closing a monitoring session that is already gone
                }
            }
        }
    }

    static Directive directiveOf(Verdict verdict) {
        if (verdict.directive().isEmpty()) {
            return Directive.NONE;
        }
        StopAction action = verdict.directive().get();
        return new Directive(
                verdict.directive(),
                inForce(verdict, action),
                verdict.summary(),
                verdict.resumesAutomatically(),
                verdict.awaitingOperator(),
                action == StopAction.THROTTLE ? verdict.throttle().batchSizeMultiplier() : 1.0,
                action == StopAction.THROTTLE ? verdict.throttle().addedPause() : java.time.Duration.ZERO);
    }

    private static String inForce(Verdict verdict, StopAction action) {
        return verdict.statuses().stream()
                .filter(status -> status.state().inForce() && status.criterion().action() == action)
                .map(CriterionStatus::id)
                .collect(Collectors.joining(", "));
    }

    /** Keeps each signal's latest reading, for the timeline's samples and the screens. */
    private SignalSource recording(SignalSource source) {
        return new SignalSource() {
            @Override
            public Set<String> signals() {
                return source.signals();
            }

            @Override
            public Map<String, SignalReading> sample() {
                Map<String, SignalReading> sampled = source.sample();
                for (String key : source.signals()) {
                    SignalReading reading = sampled.get(key);
                    readings.put(
                            key, reading == null ? SignalReading.unknown("the source reported no reading") : reading);
                }
                return sampled;
            }
        };
    }
}
