package dev.lockstep.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The tree logic on shapes that are hard to produce on purpose: DAGs of queued DDL and wait cycles. */
class BlockingTreeTest {

    @Test
    void queuedConflictingWaitersNamingEachOtherAreCountedOnce() {
        // 10 holds; 11 and 12 queue ACCESS EXCLUSIVE; 13 waits behind all three (a DAG, not a tree)
        List<LockWait> waiting = BlockingTree.linkWaiters(List.of(
                wait(11, "AccessExclusiveLock", 10),
                wait(12, "AccessExclusiveLock", 10, 11),
                wait(13, "AccessShareLock", 10, 11, 12)));

        List<BlockingRoot> roots = BlockingTree.roots(waiting, List.of(holder(10)));

        assertThat(roots).singleElement().satisfies(root -> {
            assertThat(root.pid()).isEqualTo(10);
            assertThat(root.sessionsBlocked()).isEqualTo(3);
            assertThat(root.depth()).isEqualTo(3);
            assertThat(root.blocking()).containsExactly(11, 12, 13);
        });
        assertThat(waiting.get(0).pendingAccessExclusive()).isTrue();
        assertThat(waiting.get(0).blocking()).containsExactly(12, 13);
        assertThat(waiting.get(2).pendingAccessExclusive()).isFalse();
        assertThat(BlockingTree.queuedBehind(waiting, Set.of(12))).containsExactly(13);
    }

    @Test
    void aWaitCycleHasNoRootAndTerminates() {
        List<LockWait> waiting =
                BlockingTree.linkWaiters(List.of(wait(21, "ShareLock", 22), wait(22, "ShareLock", 21)));

        assertThat(BlockingTree.roots(waiting, List.of())).isEmpty();
        assertThat(BlockingTree.queuedBehind(waiting, Set.of(21))).containsExactly(22);
    }

    @Test
    void aPreparedTransactionIsARootWithPidZeroAndAGoneBlockerStaysVisible() {
        List<LockWait> waiting = BlockingTree.linkWaiters(List.of(wait(31, "ShareLock", 0), wait(32, "ShareLock", 99)));

        List<BlockingRoot> roots = BlockingTree.roots(waiting, List.of());

        assertThat(roots).extracting(BlockingRoot::pid).containsExactlyInAnyOrder(0, 99);
        assertThat(roots).filteredOn(root -> root.pid() == 0).singleElement().satisfies(root -> assertThat(
                        root.preparedTransaction())
                .isTrue());
        assertThat(roots).filteredOn(root -> root.pid() == 99).singleElement().satisfies(root -> assertThat(
                        root.state())
                .isNull());
    }

    private static LockWait wait(int pid, String mode, Integer... blockedBy) {
        return new LockWait(
                pid,
                "app",
                "app",
                null,
                "active",
                "relation",
                mode,
                "t",
                null,
                1.0,
                false,
                1.0,
                "q",
                List.of(blockedBy),
                List.of(),
                false);
    }

    private static BlockingTree.Holder holder(int pid) {
        return new BlockingTree.Holder(
                pid, "app", "app", null, "idle in transaction", 5.0, 5.0, "select 1", "RowExclusiveLock on t");
    }
}
