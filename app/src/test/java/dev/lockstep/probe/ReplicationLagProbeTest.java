package dev.lockstep.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.Poll;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Real replication faults on the shared sandbox's streaming standby. */
@ExtendWith(SandboxExtension.class)
class ReplicationLagProbeTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void idlePrimaryKeepsTheLagAtZeroWhileTheNaiveFigureGrows(Sandbox sandbox) throws Exception {
        sandbox.awaitStandbyReplay(DEADLINE);
        try (WatchProbe probe = SandboxProbes.probeWithStandby(sandbox)) {
            Snapshot first = Poll.until(
                    DEADLINE,
                    probe::take,
                    s -> s.standbyLag().get(0).state() == StandbyLag.State.CAUGHT_UP,
                    "the idle standby is caught up");
            List<Snapshot> idle = new ArrayList<>(List.of(first));
            Double naiveFirst = first.standbys().get(0).recovery().sinceLastReplaySeconds();
            // a run of snapshots over a few seconds of an idle primary: none shows a growing lag
            Snapshot last = Poll.until(
                    DEADLINE,
                    () -> {
                        Snapshot snapshot = probe.take();
                        idle.add(snapshot);
                        return snapshot;
                    },
                    snapshot -> Duration.between(first.takenAt(), snapshot.takenAt())
                                    .toSeconds()
                            >= 3,
                    "three seconds of idle snapshots");
            for (Snapshot snapshot : idle) {
                StandbyLag lag = snapshot.standbyLag().get(0);
                assertThat(lag.lagSeconds()).as(lag.toString()).isNotNull().isLessThan(1.0);
                assertThat(snapshot.replicationLagSeconds().value()).isLessThan(1.0);
            }
            assertThat(last.standbyLag().get(0).state()).isEqualTo(StandbyLag.State.CAUGHT_UP);
            if (naiveFirst != null) {
                // what now() - pg_last_xact_replay_timestamp() would have reported
                assertThat(last.standbys().get(0).recovery().sinceLastReplaySeconds())
                        .isGreaterThan(naiveFirst + 2);
            }
            assertThat(last.primary().replication()).singleElement().satisfies(connection -> {
                assertThat(connection.applicationName()).isEqualTo(Sandbox.STANDBY_NAME);
                assertThat(connection.state()).isEqualTo("streaming");
            });
            assertThat(last.primary().replicationSlots())
                    .anySatisfy(slot -> assertThat(slot.slotName()).isEqualTo(Sandbox.SLOT_NAME));
        }
    }

    @Test
    void pausedReplayLagGrowsInTimeAndBytesAndFallsBackWhenResumed(Sandbox sandbox) throws Exception {
        ExecutorService writerThread = Executors.newSingleThreadExecutor();
        AtomicBoolean writing = new AtomicBoolean(true);
        try (Connection primary = sandbox.connectPrimary();
                Connection standby = sandbox.connectStandby();
                WatchProbe probe = SandboxProbes.probeWithStandby(sandbox)) {
            Sessions.execute(primary, "drop table if exists lag_writes; create table lag_writes (at timestamptz)");
            sandbox.awaitStandbyReplay(DEADLINE);
            Poll.until(
                    DEADLINE,
                    probe::take,
                    s -> s.standbyLag().get(0).state() == StandbyLag.State.CAUGHT_UP,
                    "caught up before the pause");
            Sessions.execute(standby, "select pg_wal_replay_pause()");
            Future<?> writer = writerThread.submit(() -> {
                try (Connection connection = sandbox.connectPrimary()) {
                    while (writing.get()) {
                        Sessions.execute(
                                connection, "insert into lag_writes select now() from generate_series(1, 100)");
                        Thread.sleep(50);
                    }
                }
                return null;
            });

            Snapshot lagging = Poll.until(
                    DEADLINE,
                    probe::take,
                    s -> lag(s).state() == StandbyLag.State.LAGGING
                            && lag(s).lagSeconds() != null
                            && lag(s).lagSeconds() >= 1.0,
                    "replay lag appears");
            assertThat(lag(lagging).replayPaused()).isTrue();
            assertThat(lag(lagging).lagSource()).isEqualTo(StandbyLag.Source.PRIMARY_WAL_HISTORY);
            assertThat(lag(lagging).lagBytes()).isPositive();
            Snapshot later = Poll.until(
                    DEADLINE,
                    probe::take,
                    s -> lag(s).lagSeconds() != null
                            && lag(s).lagSeconds() >= lag(lagging).lagSeconds() + 1.5
                            && lag(s).lagBytes() > lag(lagging).lagBytes(),
                    "replay lag grows in time and bytes");
            assertThat(later.replicationLagSeconds().value()).isGreaterThan(2.0);

            Sessions.execute(standby, "select pg_wal_replay_resume()");
            Snapshot resumed = Poll.until(
                    DEADLINE,
                    probe::take,
                    s -> lag(s).lagSeconds() != null && lag(s).lagSeconds() < 1.0,
                    "replay lag falls back after resume");
            assertThat(lag(resumed).replayPaused()).isFalse();
            assertThat(lag(resumed).lagBytes()).isLessThan(lag(later).lagBytes());

            writing.set(false);
            writer.get(10, TimeUnit.SECONDS);
            Sessions.execute(primary, "drop table lag_writes");
        } finally {
            writing.set(false);
            writerThread.shutdownNow();
        }
    }

    @Test
    void stoppedStandbyIsUnreachableNotZeroAndComesBack(Sandbox sandbox) throws Exception {
        try (WatchProbe probe = SandboxProbes.probeWithStandby(sandbox)) {
            assertThat(probe.take().standbys().get(0).reachable()).isTrue();
            sandbox.stopStandby();
            try {
                Snapshot down = Poll.until(
                        DEADLINE, probe::take, s -> !s.standbys().get(0).reachable(), "the standby is unreachable");
                StandbyLag lag = lag(down);
                assertThat(lag.state()).isEqualTo(StandbyLag.State.UNREACHABLE);
                assertThat(lag.lagSeconds()).isNull();
                assertThat(lag.lagBytes()).isNull();
                assertThat(lag.reason()).startsWith("unreachable since ");
                assertThat(down.standbys().get(0).unreachableSince()).isNotNull();
                assertThat(down.replicationLagSeconds().unknownReason()).isEqualTo("standby: " + lag.reason());
                assertThat(down.replicationLagBytes().known()).isFalse();
                assertThat(down.primary().reachable()).isTrue();
            } finally {
                sandbox.startStandby();
            }
            Snapshot back = Poll.until(
                    Duration.ofSeconds(40),
                    probe::take,
                    s -> s.standbys().get(0).reachable() && lag(s).known(),
                    "the standby is watched again after the backoff");
            assertThat(back.standbys().get(0).unreachableSince()).isNull();
        }
    }

    private static StandbyLag lag(Snapshot snapshot) {
        return snapshot.standbyLag().get(0);
    }
}
