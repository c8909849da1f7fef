package dev.lockstep.runbook;

import java.time.Duration;
import java.util.Optional;

/**
 * A condition that throttles, pauses or aborts the run.
 *
 * @param threshold breach condition ({@code above} or {@code below})
 * @param debounce {@code for}: how long the breach must last before the action (zero: at once)
 * @param clear hysteresis ({@code clear_below} for an {@code above} threshold, {@code clear_above} for a
 *     {@code below} one): the breach clears only past this value; empty means it clears at the threshold
 * @param unknown what an unreadable sample counts as (default {@link UnknownPolicy#BREACH}: fail closed)
 * @param autoResume a pause lifts by itself when the breach clears (only for {@link StopAction#PAUSE})
 */
public record StopCriterion(
        String id,
        Signal signal,
        Threshold threshold,
        Value<Duration> debounce,
        Optional<Value<Double>> clear,
        StopAction action,
        UnknownPolicy unknown,
        boolean autoResume) {}
