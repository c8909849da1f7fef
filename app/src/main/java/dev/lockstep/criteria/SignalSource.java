package dev.lockstep.criteria;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads a set of named signals at one instant. The {@link Sampler} calls every source once per interval on its
 * own thread.
 *
 * <p>A signal the source cannot read is reported as {@link SignalReading.Unknown} with the reason, never as an
 * exception. Should a source throw anyway, the sampler reports every signal in {@link #signals()} unknown.
 */
public interface SignalSource {

    /** The keys of the signals this source supplies. */
    Set<String> signals();

    /** One reading per signal in {@link #signals()}. */
    Map<String, SignalReading> sample();

    /**
     * A source from any producer of readings: the seam through which the probe snapshot feeds the criteria.
     *
     * @param signals the keys the producer supplies
     */
    static SignalSource of(Set<String> signals, Supplier<Map<String, SignalReading>> producer) {
        Set<String> keys = Set.copyOf(signals);
        Objects.requireNonNull(producer, "producer");
        return new SignalSource() {
            @Override
            public Set<String> signals() {
                return keys;
            }

            @Override
            public Map<String, SignalReading> sample() {
                return producer.get();
            }
        };
    }

    /** The signals only the engine knows: batch duration, step progress, errors, the window. */
    static SignalSource engine(EngineSignals engine) {
        Objects.requireNonNull(engine, "engine");
        return of(
                Set.of(Signals.BATCH_SECONDS, Signals.STEP_ELAPSED_RATIO, Signals.ERRORS, Signals.WINDOW_REMAINING),
                () -> Map.of(
                        Signals.BATCH_SECONDS, SignalReading.of(engine.batchSeconds()),
                        Signals.STEP_ELAPSED_RATIO, SignalReading.of(engine.stepElapsedRatio()),
                        Signals.ERRORS, SignalReading.of(engine.errors()),
                        Signals.WINDOW_REMAINING,
                                engine.windowRemainingSeconds().isPresent()
                                        ? SignalReading.of(
                                                engine.windowRemainingSeconds().getAsDouble())
                                        : SignalReading.unknown("the runbook declares no window")));
    }
}
