package dev.lockstep.probe;

import java.util.List;

/**
 * A session that blocks others without waiting itself: the head of a blocking tree. {@code state} "idle in
 * transaction" is the usual culprit. {@code sessionsBlocked} counts every session queued behind it,
 * directly or through other waiters; {@code depth} is the longest chain below it. pid 0 is a prepared
 * transaction ({@code preparedTransaction}); a null state means the session ended since the waiters were
 * read. {@code holds} names the granted locks it holds that a waiter waits for ("AccessShareLock on orders",
 * "ExclusiveLock on its transaction" for a row lock); null when none was read.
 */
public record BlockingRoot(
        int pid,
        String user,
        String application,
        String clientAddr,
        String state,
        Double xactAgeSeconds,
        Double stateAgeSeconds,
        String query,
        String holds,
        boolean preparedTransaction,
        List<Integer> blocking,
        int sessionsBlocked,
        int depth) {

    public BlockingRoot {
        blocking = List.copyOf(blocking);
    }
}
