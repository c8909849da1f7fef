package dev.lockstep.criteria;

import dev.lockstep.runbook.Signal;
import dev.lockstep.runbook.StopAction;
import dev.lockstep.runbook.StopCriterion;
import dev.lockstep.runbook.Threshold;
import dev.lockstep.runbook.UnknownPolicy;
import dev.lockstep.runbook.Value;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One stop criterion of a runbook.
 *
 * <p>It trips when the signal is strictly beyond {@code threshold} on the {@code comparison} side for at least
 * {@code debounce} (the runbook's {@code for}), and clears only once the signal is back at or on the good side of
 * {@code clearThreshold} (the runbook's {@code clear_below} for {@code above}, {@code clear_above} for {@code
 * below}); between the two the breach holds. {@link #above} and {@link #below} start from the defaults:
 * no debounce, clear threshold equal to the trip threshold, unknown readings breach, no auto resume.
 *
 * @param debounce how long the signal must stay beyond the threshold before the criterion breaches; zero
 *     breaches on the first sample
 * @param autoResume for a pause: the run resumes by itself when the criterion clears; otherwise the operator
 *     decides. Only pause criteria may set it.
 */
public record Criterion(
        String id,
        SignalRef signal,
        Comparison comparison,
        double threshold,
        Duration debounce,
        double clearThreshold,
        StopAction action,
        UnknownPolicy unknownPolicy,
        boolean autoResume) {

    public Criterion {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(comparison, "comparison");
        Objects.requireNonNull(debounce, "debounce");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(unknownPolicy, "unknownPolicy");
        if (id.isBlank()) {
            throw new IllegalArgumentException("a stop criterion needs an id");
        }
        if (!Double.isFinite(threshold) || !Double.isFinite(clearThreshold)) {
            throw new IllegalArgumentException("stop criterion '" + id + "': thresholds must be finite numbers");
        }
        if (debounce.isNegative()) {
            throw new IllegalArgumentException("stop criterion '" + id + "': 'for' must not be negative");
        }
        if (!comparison.isOnGoodSide(clearThreshold, threshold)) {
            throw new IllegalArgumentException("stop criterion '" + id + "': "
                    + clearKey(comparison) + " " + SignalReading.formatNumber(clearThreshold)
                    + " must not be " + (comparison == Comparison.ABOVE ? "above" : "below")
                    + " the trip threshold " + SignalReading.formatNumber(threshold));
        }
        if (autoResume && action != StopAction.PAUSE) {
            throw new IllegalArgumentException("stop criterion '" + id + "': auto_resume applies to pause only, "
                    + "the action is " + action.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** Trips when the signal rises above {@code threshold}. */
    public static Criterion above(String id, SignalRef signal, double threshold, StopAction action) {
        return new Criterion(
                id, signal, Comparison.ABOVE, threshold, Duration.ZERO, threshold, action, UnknownPolicy.BREACH, false);
    }

    /** Trips when the signal falls below {@code threshold}. */
    public static Criterion below(String id, SignalRef signal, double threshold, StopAction action) {
        return new Criterion(
                id, signal, Comparison.BELOW, threshold, Duration.ZERO, threshold, action, UnknownPolicy.BREACH, false);
    }

    /**
     * The criterion a bound runbook declares. A custom SQL signal is named after its criterion (the runbook gives
     * it no name of its own), so its key is {@code sql:<criterion id>}.
     *
     * @throws IllegalStateException when the runbook still holds unbound parameters
     */
    public static Criterion fromRunbook(StopCriterion declared) {
        SignalRef signal = declared.signal() instanceof Signal.Sql sql
                ? SignalRef.sql(declared.id(), sql.sql())
                : SignalRef.builtIn(
                        ((Signal.Builtin) declared.signal()).signal().yamlName());
        Comparison comparison =
                declared.threshold().direction() == Threshold.Direction.ABOVE ? Comparison.ABOVE : Comparison.BELOW;
        double threshold = declared.threshold().value().get();
        return new Criterion(
                declared.id(),
                signal,
                comparison,
                threshold,
                declared.debounce().get(),
                declared.clear().map(Value::get).orElse(threshold),
                declared.action(),
                declared.unknown(),
                declared.autoResume());
    }

    /** {@link #fromRunbook(StopCriterion)} for each, in runbook order. */
    public static List<Criterion> fromRunbook(List<StopCriterion> declared) {
        return declared.stream().map(Criterion::fromRunbook).toList();
    }

    public Criterion withDebounce(Duration newDebounce) {
        return new Criterion(
                id, signal, comparison, threshold, newDebounce, clearThreshold, action, unknownPolicy, autoResume);
    }

    public Criterion withClearThreshold(double newClearThreshold) {
        return new Criterion(
                id, signal, comparison, threshold, debounce, newClearThreshold, action, unknownPolicy, autoResume);
    }

    public Criterion withUnknownPolicy(UnknownPolicy newUnknownPolicy) {
        return new Criterion(
                id, signal, comparison, threshold, debounce, clearThreshold, action, newUnknownPolicy, autoResume);
    }

    public Criterion withAutoResume(boolean newAutoResume) {
        return new Criterion(
                id, signal, comparison, threshold, debounce, clearThreshold, action, unknownPolicy, newAutoResume);
    }

    /**
     * Whether the action stays in force after the signal clears, until the operator releases it: a pause the
     * runbook does not let resume by itself, and an abort, which must not be lost because the signal recovered
     * before the engine looked.
     */
    public boolean holdsAfterClear() {
        return action == StopAction.ABORT || (action == StopAction.PAUSE && !autoResume);
    }

    private static String clearKey(Comparison comparison) {
        return comparison == Comparison.ABOVE ? "clear_below" : "clear_above";
    }
}
