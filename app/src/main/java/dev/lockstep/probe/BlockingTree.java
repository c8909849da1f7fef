package dev.lockstep.probe;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds blocking trees from the waiters' pg_blocking_pids. A waiter can have several blockers, so the
 * graph is a DAG (and briefly a cycle while the deadlock detector has not yet run): every walk keeps a
 * visited set and counts each session once.
 */
final class BlockingTree {

    private BlockingTree() {}

    /** A session that blocks others and does not wait itself, as read from pg_stat_activity. */
    record Holder(
            int pid,
            String user,
            String application,
            String clientAddr,
            String state,
            Double xactAgeSeconds,
            Double stateAgeSeconds,
            String query,
            String holds) {}

    /** Direct waiters per blocker pid. */
    static Map<Integer, List<Integer>> waitersByBlocker(Collection<LockWait> waiting) {
        Map<Integer, List<Integer>> waiters = new HashMap<>();
        for (LockWait wait : waiting) {
            for (int blocker : wait.blockedBy()) {
                waiters.computeIfAbsent(blocker, key -> new ArrayList<>()).add(wait.pid());
            }
        }
        return waiters;
    }

    /** Fills in {@code blocking} and {@code pendingAccessExclusive} on waiters read without them. */
    static List<LockWait> linkWaiters(List<LockWait> waiting) {
        Map<Integer, List<Integer>> waiters = waitersByBlocker(waiting);
        List<LockWait> linked = new ArrayList<>(waiting.size());
        for (LockWait wait : waiting) {
            List<Integer> blocking = waiters.getOrDefault(wait.pid(), List.of());
            boolean pendingAccessExclusive = "AccessExclusiveLock".equals(wait.mode()) && !blocking.isEmpty();
            linked.add(new LockWait(
                    wait.pid(),
                    wait.user(),
                    wait.application(),
                    wait.clientAddr(),
                    wait.state(),
                    wait.lockType(),
                    wait.mode(),
                    wait.relation(),
                    wait.waitStart(),
                    wait.waitSeconds(),
                    wait.waitStartApproximate(),
                    wait.xactAgeSeconds(),
                    wait.query(),
                    wait.blockedBy(),
                    blocking,
                    pendingAccessExclusive));
        }
        return linked;
    }

    /**
     * Roots: blockers named by some waiter that do not wait themselves, in the order the holders were read,
     * then any blocker the holder query did not return (it ended in between).
     */
    static List<BlockingRoot> roots(List<LockWait> waiting, List<Holder> holders) {
        Map<Integer, List<Integer>> waiters = waitersByBlocker(waiting);
        Set<Integer> waitingPids = new LinkedHashSet<>();
        waiting.forEach(wait -> waitingPids.add(wait.pid()));
        Map<Integer, Holder> holderByPid = new HashMap<>();
        holders.forEach(holder -> holderByPid.put(holder.pid(), holder));
        Set<Integer> rootPids = new LinkedHashSet<>();
        holders.forEach(holder -> rootPids.add(holder.pid()));
        waiters.keySet().stream().sorted().forEach(rootPids::add);
        rootPids.removeAll(waitingPids);

        List<BlockingRoot> roots = new ArrayList<>();
        for (int pid : rootPids) {
            List<Integer> direct = waiters.getOrDefault(pid, List.of());
            if (direct.isEmpty()) {
                continue;
            }
            Set<Integer> behind = queuedBehind(waiting, Set.of(pid));
            Holder holder = holderByPid.get(pid);
            roots.add(new BlockingRoot(
                    pid,
                    holder == null ? null : holder.user(),
                    holder == null ? null : holder.application(),
                    holder == null ? null : holder.clientAddr(),
                    holder == null ? null : holder.state(),
                    holder == null ? null : holder.xactAgeSeconds(),
                    holder == null ? null : holder.stateAgeSeconds(),
                    holder == null ? null : holder.query(),
                    holder == null ? null : holder.holds(),
                    pid == 0,
                    direct,
                    behind.size(),
                    depth(pid, waiters, new LinkedHashSet<>(), new HashMap<>())));
        }
        roots.sort((left, right) -> Integer.compare(right.sessionsBlocked(), left.sessionsBlocked()));
        return roots;
    }

    /** Every waiter queued behind any of {@code blockers}, directly or transitively. */
    static Set<Integer> queuedBehind(Collection<LockWait> waiting, Set<Integer> blockers) {
        Map<Integer, List<Integer>> waiters = waitersByBlocker(waiting);
        Set<Integer> behind = new LinkedHashSet<>();
        Deque<Integer> todo = new ArrayDeque<>(blockers);
        while (!todo.isEmpty()) {
            for (int waiter : waiters.getOrDefault(todo.pop(), List.of())) {
                if (!blockers.contains(waiter) && behind.add(waiter)) {
                    todo.push(waiter);
                }
            }
        }
        return behind;
    }

    /** Longest chain below {@code pid}; memoised because queued conflicting waiters name each other (a DAG). */
    private static int depth(
            int pid, Map<Integer, List<Integer>> waiters, Set<Integer> onPath, Map<Integer, Integer> known) {
        Integer cached = known.get(pid);
        if (cached != null) {
            return cached;
        }
        if (!onPath.add(pid)) {
            return 0;
        }
        int deepest = 0;
        for (int waiter : waiters.getOrDefault(pid, List.of())) {
            deepest = Math.max(deepest, 1 + depth(waiter, waiters, onPath, known));
        }
        onPath.remove(pid);
        known.put(pid, deepest);
        return deepest;
    }
}
