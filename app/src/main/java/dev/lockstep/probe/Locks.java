package dev.lockstep.probe;

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

    /** Sessions waiting behind any of {@code pids}, directly or through other waiters. */
    public int blockedBy(Set<Integer> pids) {
        return BlockingTree.queuedBehind(waiting, pids).size();
    }
}
