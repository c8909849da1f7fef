package dev.lockstep.engine;

import java.time.Duration;
import java.time.Instant;

/**
 * What a backfill step asks for, in the engine's terms. {@code sql} uses {@code :from} and {@code :to}
 * (a batch covers keys with {@code key > :from and key <= :to}); the engine computes both.
 */
public record BackfillPlan(
        String stepId,
        String table,
        String key,
        String sql,
        int initialSize,
        Duration target,
        int minSize,
        int maxSize,
        Duration pause,
        Duration statementTimeout,
        Duration lockTimeout,
        int attempts,
        Long totalEstimate,
        Instant windowEnd) {}
