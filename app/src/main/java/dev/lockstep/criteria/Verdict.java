package dev.lockstep.criteria;

import dev.lockstep.runbook.StopAction;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What every stop criterion together asks of the run at one instant.
 *
 * @param directive the strongest action of the criteria in force (breached or held); empty when none is: the run
 *     proceeds
 * @param statuses every criterion, in runbook order
 * @param throttle how to slow down while a throttle criterion is in force; {@link Throttle#NONE} otherwise
 */
public record Verdict(Instant at, Optional<StopAction> directive, List<CriterionStatus> statuses, Throttle throttle) {

    public Verdict {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(directive, "directive");
        Objects.requireNonNull(throttle, "throttle");
        statuses = List.copyOf(statuses);
    }

    /** Whether the criteria in force ask for {@code action} (as their strongest). */
    public boolean directs(StopAction action) {
        return directive.equals(Optional.of(action));
    }

    /** Ids of the criteria whose signal is beyond the threshold now. */
    public List<String> breached() {
        return idsIn(CriterionState.BREACHED);
    }

    /** Ids of the criteria whose signal cleared but whose action waits for the operator's release. */
    public List<String> held() {
        return idsIn(CriterionState.HELD);
    }

    /** Ids of the criteria beyond the threshold but still within their {@code for}. */
    public List<String> pending() {
        return idsIn(CriterionState.PENDING);
    }

    /**
     * For a pause: whether the run will go on by itself once the pausing criteria clear, because every pausing
     * criterion in force has {@code auto_resume} and none is already waiting for the operator.
     */
    public boolean resumesAutomatically() {
        return directs(StopAction.PAUSE)
                && statuses.stream()
                        .filter(status ->
                                status.state().inForce() && status.criterion().action() == StopAction.PAUSE)
                        .allMatch(status -> status.state() == CriterionState.BREACHED
                                && status.criterion().autoResume());
    }

    /**
     * For a pause: every pausing signal has cleared and only the operator's release keeps the run paused, so the
     * console can say "signals clear; resume?".
     */
    public boolean awaitingOperator() {
        return directs(StopAction.PAUSE)
                && statuses.stream()
                        .filter(status ->
                                status.state().inForce() && status.criterion().action() == StopAction.PAUSE)
                        .allMatch(status -> status.state() == CriterionState.HELD);
    }

    /**
     * Whether the engine has to act differently than under {@code other}: the directive, the throttle or a
     * criterion's state differ. Readings and time alone do not make a change.
     */
    public boolean sameOutcome(Verdict other) {
        return directive.equals(other.directive)
                && throttle.equals(other.throttle)
                && statuses.stream()
                        .map(CriterionStatus::state)
                        .toList()
                        .equals(other.statuses.stream()
                                .map(CriterionStatus::state)
                                .toList())
                && statuses.stream()
                        .map(CriterionStatus::id)
                        .toList()
                        .equals(other.statuses.stream().map(CriterionStatus::id).toList());
    }

    /** One line naming the directive and the criteria behind it: {@code pause: lock-queue (lock_wait_seconds 7)}. */
    public String summary() {
        String name =
                directive.map(action -> action.name().toLowerCase(Locale.ROOT)).orElse("proceed");
        List<CriterionStatus> inForce =
                statuses.stream().filter(status -> status.state().inForce()).toList();
        if (inForce.isEmpty()) {
            return name;
        }
        return name + ": "
                + inForce.stream()
                        .map(status -> status.id() + " ("
                                + status.criterion().signal().key() + " "
                                + status.reading().describe()
                                + (status.state() == CriterionState.HELD ? ", cleared, held for the operator" : "")
                                + ")")
                        .collect(Collectors.joining(", "));
    }

    private List<String> idsIn(CriterionState state) {
        return statuses.stream()
                .filter(status -> status.state() == state)
                .map(CriterionStatus::id)
                .toList();
    }
}
