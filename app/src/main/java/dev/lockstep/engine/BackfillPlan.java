package dev.lockstep.engine;

import java.time.Duration;
import java.time.Instant;

/**
 * What a backfill step asks for, in the engine's terms. {@code sql} uses {@code :from} and {@code :to}
 * (a batch covers keys with {@code key > :from and key <= :to}); the engine computes both. A batch that
 * fails with a lock timeout, a deadlock, a serialization failure or a cancel left nothing applied (it is
 * one transaction with its checkpoint) and is tried again, {@code attempts} tries in all, waiting
 * {@code backoff} between them.
 */
record BackfillPlan(
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
        Backoff backoff,
        Long totalEstimate,
        Instant windowEnd) {}
