package dev.lockstep.criteria;

import dev.lockstep.runbook.StopAction;
import dev.lockstep.runbook.UnknownPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The stop criteria state machine: feed it readings with the instant they were taken, get a {@link Verdict} and
 * the breach and clear events.
 *
 * <p>Per criterion: {@code OK → PENDING} when the signal goes beyond the threshold (straight to {@code BREACHED}
 * when {@code for} is zero), {@code PENDING → OK} when it comes back before {@code for} has passed (the debounce
 * starts over), {@code PENDING → BREACHED} once it has been beyond for {@code for}, and {@code BREACHED} holds
 * until the signal passes the clear threshold; then {@code OK}, or {@code HELD} for a criterion whose action
 * outlives its signal (see {@link Criterion#holdsAfterClear()}) until {@link #release()}; a held criterion whose
 * signal relapses breaches again at once. An unknown reading is
 * beyond the threshold under {@code unknown: breach} and leaves the state as it is under {@code ignore}; a signal
 * no source supplied is unknown.
 *
 * <p>Deterministic and clock-free; not thread-safe (the {@link Sampler} confines it).
 */
public final class StopCriteriaEvaluator {

    private final List<Criterion> criteria;
    private final Throttle throttlePolicy;
    private final Map<String, Track> tracks = new LinkedHashMap<>();
    private Verdict lastVerdict;

    public StopCriteriaEvaluator(List<Criterion> criteria) {
        this(criteria, Throttle.DEFAULT);
    }

    public StopCriteriaEvaluator(List<Criterion> criteria, Throttle throttlePolicy) {
        this.criteria = List.copyOf(criteria);
        this.throttlePolicy = Objects.requireNonNull(throttlePolicy, "throttlePolicy");
        Map<String, String> sqlByName = new LinkedHashMap<>();
        for (Criterion criterion : this.criteria) {
            if (tracks.put(criterion.id(), new Track()) != null) {
                throw new IllegalArgumentException("duplicate stop criterion id '" + criterion.id() + "'");
            }
            if (criterion.signal() instanceof SignalRef.Sql sql) {
                String earlier = sqlByName.putIfAbsent(sql.name(), sql.sql());
                if (earlier != null && !earlier.equals(sql.sql())) {
                    throw new IllegalArgumentException(
                            "custom signal '" + sql.name() + "' is defined twice with different queries");
                }
            }
        }
    }

    public List<Criterion> criteria() {
        return criteria;
    }

    /** The custom SQL signals the criteria watch, each once: what a {@link CustomSqlSignalSource} must run. */
    public List<SignalRef.Sql> sqlSignals() {
        Set<String> seen = new HashSet<>();
        List<SignalRef.Sql> result = new ArrayList<>();
        for (Criterion criterion : criteria) {
            if (criterion.signal() instanceof SignalRef.Sql sql && seen.add(sql.key())) {
                result.add(sql);
            }
        }
        return List.copyOf(result);
    }

    /** The last verdict, empty before the first evaluation. */
    public Optional<Verdict> lastVerdict() {
        return Optional.ofNullable(lastVerdict);
    }

    /**
     * Advances every criterion with the readings taken at {@code at}.
     *
     * @param readings by signal key; a criterion whose signal is missing sees an unknown reading
     */
    public Evaluation evaluate(Instant at, Map<String, SignalReading> readings) {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(readings, "readings");
        List<CriterionEvent> events = new ArrayList<>();
        for (Criterion criterion : criteria) {
            SignalReading reading = readings.get(criterion.signal().key());
            if (reading == null) {
                reading = SignalReading.unknown(
                        "no source supplies signal " + criterion.signal().key());
            }
            tracks.get(criterion.id()).advance(criterion, at, reading).ifPresent(events::add);
        }
        lastVerdict = verdictAt(at);
        return new Evaluation(lastVerdict, events);
    }

    /**
     * The operator resumes: criteria held after their signal cleared go back to {@code OK}. Criteria still
     * breached stay breached; overriding those is the engine's decision, not a state of the criteria.
     *
     * @return the ids released, in runbook order
     */
    public List<String> release() {
        List<String> released = new ArrayList<>();
        for (Criterion criterion : criteria) {
            Track track = tracks.get(criterion.id());
            if (track.state == CriterionState.HELD) {
                track.state = CriterionState.OK;
                released.add(criterion.id());
            }
        }
        if (lastVerdict != null && !released.isEmpty()) {
            lastVerdict = verdictAt(lastVerdict.at());
        }
        return List.copyOf(released);
    }

    private Verdict verdictAt(Instant at) {
        List<CriterionStatus> statuses = new ArrayList<>();
        for (Criterion criterion : criteria) {
            Track track = tracks.get(criterion.id());
            statuses.add(new CriterionStatus(criterion, track.state, track.lastReading, track.since));
        }
        List<StopAction> inForce = statuses.stream()
                .filter(status -> status.state().inForce())
                .map(status -> status.criterion().action())
                .toList();
        Optional<StopAction> strongest = inForce.stream().max(Comparator.naturalOrder());
        return new Verdict(
                at, strongest, statuses, inForce.contains(StopAction.THROTTLE) ? throttlePolicy : Throttle.NONE);
    }

    /** One criterion's mutable state; lives only inside the evaluator. */
    private static final class Track {
        CriterionState state = CriterionState.OK;
        SignalReading lastReading = SignalReading.unknown("not sampled yet");
        Instant since = Instant.EPOCH;
        private boolean started;

        Optional<CriterionEvent> advance(Criterion criterion, Instant at, SignalReading reading) {
            if (!started) {
                started = true;
                since = at;
            }
            lastReading = reading;
            boolean trips;
            boolean clears;
            if (reading instanceof SignalReading.Value value) {
                trips = criterion.comparison().trips(value.value(), criterion.threshold());
                clears = criterion.comparison().clears(value.value(), criterion.clearThreshold());
            } else if (criterion.unknownPolicy() == UnknownPolicy.BREACH) {
                trips = true;
                clears = false;
            } else {
                return Optional.empty();
            }
            switch (state) {
                case OK -> {
                    if (trips) {
                        return startPending(criterion, at, reading);
                    }
                }
                case HELD -> {
                    // The action never stopped being in force, so there is nothing to debounce: a relapse
                    // breaches at once, and a pending state here would let the hold lapse without a release.
                    if (trips) {
                        return breach(criterion, at, reading);
                    }
                }
                case PENDING -> {
                    if (!trips) {
                        enter(CriterionState.OK, at);
                    } else if (!Duration.between(since, at)
                            .minus(criterion.debounce())
                            .isNegative()) {
                        return breach(criterion, at, reading);
                    }
                }
                case BREACHED -> {
                    if (clears) {
                        enter(criterion.holdsAfterClear() ? CriterionState.HELD : CriterionState.OK, at);
                        return Optional.of(event(CriterionEvent.Kind.CLEAR, criterion, at, reading));
                    }
                }
            }
            return Optional.empty();
        }

        private Optional<CriterionEvent> startPending(Criterion criterion, Instant at, SignalReading reading) {
            if (criterion.debounce().isZero()) {
                return breach(criterion, at, reading);
            }
            enter(CriterionState.PENDING, at);
            return Optional.empty();
        }

        private Optional<CriterionEvent> breach(Criterion criterion, Instant at, SignalReading reading) {
            enter(CriterionState.BREACHED, at);
            return Optional.of(event(CriterionEvent.Kind.BREACH, criterion, at, reading));
        }

        private void enter(CriterionState newState, Instant at) {
            state = newState;
            since = at;
        }

        private static CriterionEvent event(
                CriterionEvent.Kind kind, Criterion criterion, Instant at, SignalReading reading) {
            double threshold = kind == CriterionEvent.Kind.BREACH ? criterion.threshold() : criterion.clearThreshold();
            return new CriterionEvent(
                    kind,
                    criterion.id(),
                    criterion.signal().key(),
                    reading,
                    criterion.comparison(),
                    threshold,
                    criterion.action(),
                    at);
        }
    }
}
