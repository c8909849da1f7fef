package dev.lockstep.probe;

import java.time.Instant;
import java.util.List;

/**
 * A session waiting for a heavyweight lock. {@code blockedBy} comes from pg_blocking_pids (hard and soft
 * blockers; 0 is a prepared transaction); {@code blocking} lists the waiters that name this session as a
 * blocker. {@code pendingAccessExclusive} marks the classic migration hazard: a queued ACCESS EXCLUSIVE
 * request that makes every later query on the relation wait, even plain SELECTs.
 */
public record LockWait(
        int pid,
        String user,
        String application,
        String clientAddr,
        String state,
        String lockType,
        String mode,
        String relation,
        Instant waitStart,
        double waitSeconds,
        boolean waitStartApproximate,
        Double xactAgeSeconds,
        String query,
        List<Integer> blockedBy,
        List<Integer> blocking,
        boolean pendingAccessExclusive) {

    public LockWait {
        blockedBy = List.copyOf(blockedBy);
        blocking = List.copyOf(blocking);
    }
}
