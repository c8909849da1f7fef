package dev.lockstep.runbook;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code kind: wait}: polls {@code sql} every {@code interval} until its value meets {@code expect}
 * (default {@code equals: true}); fails after {@code timeout}.
 */
public record WaitStep(
        String id,
        Optional<String> title,
        Optional<Phase> phase,
        String sql,
        Expectation expect,
        Value<Duration> interval,
        Value<Duration> timeout,
        OnFailure onFailure,
        StepMarks marks)
        implements Step {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    @Override
    public String kind() {
        return "wait";
    }
}
