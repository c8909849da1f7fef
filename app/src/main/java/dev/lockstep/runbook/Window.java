package dev.lockstep.runbook;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * The change window: either a fixed end ({@code ends_at}, an ISO-8601 time with offset) or a length
 * counted from the start of the run ({@code duration}). Exactly one is present.
 */
public record Window(Optional<OffsetDateTime> endsAt, Optional<Value<Duration>> duration) {}
