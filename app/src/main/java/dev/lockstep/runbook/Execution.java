package dev.lockstep.runbook;

import java.time.Duration;
import java.util.Optional;

/**
 * How a step that runs SQL is bounded.
 *
 * @param timeout {@code timeout}: the statement_timeout of the step's statements; empty keeps the session's
 * @param lockTimeout {@code lock_timeout}: how long a statement may queue for a lock (default 2s)
 * @param retry which failures are retried and how
 * @param estimate {@code estimate}: the expected duration, the base of the step_elapsed_ratio signal
 */
public record Execution(
        Optional<Value<Duration>> timeout,
        Value<Duration> lockTimeout,
        Retry retry,
        Optional<Value<Duration>> estimate) {
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(2);
}
