package dev.lockstep.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.Poll;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.sandbox.PgMajor;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The classic migration hazard, for real: a session idle in a transaction holds a lock, an ALTER TABLE
 * queues for ACCESS EXCLUSIVE behind it, and plain SELECTs queue behind the ALTER. Watched by a role that
 * has only pg_monitor, on the default major and on 13 and 18.
 */
@ExtendWith(SandboxExtension.class)
class LockQueueProbeTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    void defaultMajor(Sandbox sandbox) throws Exception {
        showsOneIdleRootThePendingAlterAndTheQueueBehindIt(sandbox);
    }

    @Test
    void postgres13(@PgMajor(13) Sandbox sandbox) throws Exception {
        showsOneIdleRootThePendingAlterAndTheQueueBehindIt(sandbox);
    }

    @Test
    void postgres18(@PgMajor(18) Sandbox sandbox) throws Exception {
        showsOneIdleRootThePendingAlterAndTheQueueBehindIt(sandbox);
    }

    @Test
    void aRowLockHolderIsNamedWithTheLockItsWaiterWantsItsTransaction(Sandbox sandbox) throws Exception {
        try (Sessions sessions = new Sessions(sandbox::connectPrimary);
                WatchProbe probe = WatchProbe.open(
                        ConnectionSettings.parse(sandbox.primaryUri()), List.of(), ProbeOptions.defaults())) {
            // given: an application session changed a row and went idle in its transaction
            Connection admin = sessions.open();
            Sessions.execute(
                    admin,
                    "drop table if exists row_target; create table row_target (id int primary key, n int);"
                            + " insert into row_target values (1, 0)");
            Connection holder = sessions.open();
            int holderPid = Sessions.pid(holder);
            holder.setAutoCommit(false);
            Sessions.execute(holder, "update row_target set n = 1 where id = 1");
            Connection writer = sessions.open();
            sessions.start(writer, "update row_target set n = 2 where id = 1");

            // when
            Snapshot snapshot = Poll.until(
                    DEADLINE,
                    probe::take,
                    s -> s.primary().locks() != null
                            && !s.primary().locks().roots().isEmpty(),
                    "the second update waits for the row");

            // then: the root holds the lock on its transaction that the writer waits for
            BlockingRoot root = snapshot.primary().locks().roots().get(0);
            assertThat(root.pid()).isEqualTo(holderPid);
            assertThat(root.holds()).isEqualTo("ExclusiveLock on its transaction");
            holder.rollback();
        }
    }

    private static void showsOneIdleRootThePendingAlterAndTheQueueBehindIt(Sandbox sandbox) throws Exception {
        int major = sandbox.pgMajor();
        sandbox.createLoginRole("lockstep_watcher", "not-used-with-trust", "pg_monitor");
        ConnectionSettings watcher = ConnectionSettings.parse(
                "postgresql://lockstep_watcher@127.0.0.1:" + sandbox.primaryPort() + "/postgres");
        try (Sessions sessions = new Sessions(sandbox::connectPrimary);
                WatchProbe probe = WatchProbe.open(watcher, List.of(), ProbeOptions.defaults())) {
            // given
            Connection admin = sessions.open();
            Sessions.execute(admin, "drop table if exists queue_target; create table queue_target (id int)");
            Connection holder = sessions.open();
            int holderPid = Sessions.pid(holder);
            holder.setAutoCommit(false);
            Sessions.execute(holder, "select count(*) from queue_target");
            Connection alter = sessions.open();
            int alterPid = Sessions.pid(alter);
            Instant alterStart = Instant.now();
            Future<?> altered = sessions.start(alter, "alter table queue_target add column note text");
            Poll.until(DEADLINE, probe::take, s -> waiter(s, alterPid).isPresent(), "the ALTER waits");
            List<Integer> readerPids = new ArrayList<>();
            List<Future<?>> reads = new ArrayList<>();
            for (int reader = 0; reader < 3; reader++) {
                Connection connection = sessions.open();
                readerPids.add(Sessions.pid(connection));
                reads.add(sessions.start(connection, "select count(*) from queue_target"));
            }

            // when
            Snapshot snapshot = Poll.until(
                    DEADLINE,
                    probe::take,
                    s -> s.primary().locks() != null
                            && s.primary().locks().waiting().size() == 4,
                    "the ALTER and three SELECTs wait");

            // then
            Locks locks = snapshot.primary().locks();
            assertThat(locks.roots()).hasSize(1);
            BlockingRoot root = locks.roots().get(0);
            assertThat(root.pid()).isEqualTo(holderPid);
            assertThat(root.state()).isEqualTo("idle in transaction");
            assertThat(root.xactAgeSeconds()).isPositive();
            assertThat(root.query()).isEqualTo("select count(*) from queue_target");
            assertThat(root.user()).isEqualTo("postgres");
            assertThat(root.holds()).isEqualTo("AccessShareLock on queue_target");
            assertThat(root.blocking()).containsExactly(alterPid);
            assertThat(root.sessionsBlocked()).isEqualTo(4);
            assertThat(root.depth()).isEqualTo(2);

            LockWait alterWait = waiter(snapshot, alterPid).orElseThrow();
            assertThat(alterWait.mode()).isEqualTo("AccessExclusiveLock");
            assertThat(alterWait.lockType()).isEqualTo("relation");
            assertThat(alterWait.relation()).isEqualTo("queue_target");
            assertThat(alterWait.pendingAccessExclusive()).isTrue();
            assertThat(alterWait.blockedBy()).containsExactly(holderPid);
            assertThat(alterWait.blocking()).containsExactlyInAnyOrderElementsOf(readerPids);
            assertThat(alterWait.query()).isEqualTo("alter table queue_target add column note text");
            assertThat(alterWait.waitStartApproximate()).isEqualTo(major < 14);
            double truth = Duration.between(alterStart, snapshot.takenAt()).toMillis() / 1000.0;
            assertThat(alterWait.waitSeconds()).isCloseTo(truth, within(1.0));

            for (int readerPid : readerPids) {
                LockWait read = waiter(snapshot, readerPid).orElseThrow();
                assertThat(read.mode()).isEqualTo("AccessShareLock");
                assertThat(read.relation()).isEqualTo("queue_target");
                assertThat(read.blockedBy()).containsExactly(alterPid);
                assertThat(read.pendingAccessExclusive()).isFalse();
                assertThat(read.query()).isEqualTo("select count(*) from queue_target");
            }
            assertThat(snapshot.blockedSessions().value()).isEqualTo(4);
            assertThat(snapshot.blockedBy(Set.of(alterPid)).value()).isEqualTo(3);
            assertThat(snapshot.blockedBy(Set.of(holderPid)).value()).isEqualTo(4);
            assertThat(snapshot.lockWaitSeconds().value()).isGreaterThanOrEqualTo(alterWait.waitSeconds());
            assertThat(snapshot.oldestXactSeconds().value()).isGreaterThanOrEqualTo(root.xactAgeSeconds());
            assertThat(snapshot.primary().activity().longTransactions())
                    .anySatisfy(transaction -> assertThat(transaction.pid()).isEqualTo(holderPid));
            assertThat(snapshot.primary().server().seesAllActivity()).isTrue();
            assertThat(snapshot.primary().server().hiddenBecause()).isEmpty();
            snapshot.primary().parts().forEach((part, status) -> {
                if (part.equals(ServerProbe.COPY) && major < 14) {
                    assertThat(status.state()).isEqualTo(PartStatus.State.OFF);
                    assertThat(status.reason()).contains("14");
                } else {
                    assertThat(status.state()).as(part + ": " + status.reason()).isEqualTo(PartStatus.State.OK);
                }
            });

            holder.rollback();
            altered.get(10, TimeUnit.SECONDS);
            for (Future<?> read : reads) {
                read.get(10, TimeUnit.SECONDS);
            }
            Sessions.execute(admin, "drop table queue_target");
        }
    }

    private static Optional<LockWait> waiter(Snapshot snapshot, int pid) {
        Locks locks = snapshot.primary().locks();
        if (locks == null) {
            return Optional.empty();
        }
        return locks.waiting().stream().filter(wait -> wait.pid() == pid).findFirst();
    }
}
