package dev.lockstep.probe;

import java.util.HashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

/** Lock waits in the monitored database and the blocking trees they form. */
public record Locks(List<LockWait> waiting, List<BlockingRoot> roots) {

    public Locks {
        waiting = List.copyOf(waiting);
        roots = List.copyOf(roots);
    }

    public OptionalDouble longestWaitSeconds() {
        return waiting.stream().mapToDouble(LockWait::waitSeconds).max();
    }

    /**
     * Sessions waiting behind any of {@code pids} or behind a waiting or blocking session whose application_name
     * is {@code application} (null: none), directly or through other waiters; those sessions themselves are not
     * counted.
     */
    public int blockedBy(Set<Integer> pids, String application) {
        Set<Integer> blockers = new HashSet<>(pids);
        if (application != null) {
            waiting.stream()
                    .filter(wait -> application.equals(wait.application()))
                    .forEach(wait -> blockers.add(wait.pid()));
            roots.stream()
                    .filter(root -> application.equals(root.application()))
                    .forEach(root -> blockers.add(root.pid()));
        }
        return BlockingTree.queuedBehind(waiting, blockers).size();
    }
}
