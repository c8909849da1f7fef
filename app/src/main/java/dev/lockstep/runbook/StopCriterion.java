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
 * @param autoResume a pause lifts by itself when the breach clears (only for {@link Action#PAUSE})
 */
public record StopCriterion(
        String id,
        Signal signal,
        Threshold threshold,
        Value<Duration> debounce,
        Optional<Value<Double>> clear,
        Action action,
        UnknownPolicy unknown,
        boolean autoResume) {

    public enum Action {
        /** The backfill slows down (smaller batches, longer pauses) but goes on. */
        THROTTLE,
        /** No new batch or step starts until the breach clears (auto_resume) or the operator resumes. */
        PAUSE,
        /** The in-flight statement is cancelled and the run stops, resumable, with exit code 4. */
        ABORT
    }

    public enum UnknownPolicy {
        /** An unreadable signal counts as breached. */
        BREACH,
        /** An unreadable signal is ignored for this criterion. */
        IGNORE
    }
}
