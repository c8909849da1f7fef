package dev.lockstep.criteria;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The replication signals read honestly against a real primary and streaming standby. */
@ExtendWith(SandboxExtension.class)
class ReplicationSignalSourceTest {

    private static double value(Map<String, SignalReading> readings, String key) {
        assertThat(readings.get(key)).as(key + " in " + readings).isInstanceOf(SignalReading.Value.class);
        return ((SignalReading.Value) readings.get(key)).value();
    }

    @Test
    void anIdleCaughtUpStandbyReadsZero(Sandbox sandbox) throws Exception {
        try (Connection primary = sandbox.connectPrimary();
                ReplicationSignalSource source =
                        new ReplicationSignalSource(() -> primary, List.of(sandbox::connectStandby))) {
            sandbox.awaitStandbyReplay(Duration.ofSeconds(30));
            Map<String, SignalReading> readings = source.sample();

            assertThat(value(readings, Signals.REPLICATION_LAG_SECONDS)).isZero();
            assertThat(value(readings, Signals.REPLICATION_LAG_BYTES)).isZero();
            assertThat(value(readings, Signals.SLOT_RETAINED_BYTES)).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void aPausedReplayWithPendingWalGrowsAndCatchesUpAfterResume(Sandbox sandbox) throws Exception {
        try (Connection primary = sandbox.connectPrimary();
                Connection standby = sandbox.connectStandby();
                Statement writes = primary.createStatement();
                Statement replay = standby.createStatement();
                ReplicationSignalSource source =
                        new ReplicationSignalSource(() -> primary, List.of(sandbox::connectStandby))) {
            writes.execute("create table if not exists repl_signal_t (id int)");
            sandbox.awaitStandbyReplay(Duration.ofSeconds(30));
            replay.execute("select pg_wal_replay_pause()");
            try {
                source.sample();
                writes.execute("insert into repl_signal_t select generate_series(1, 1000)");
                double first = value(source.sample(), Signals.REPLICATION_LAG_SECONDS);
                Thread.sleep(1200);
                Map<String, SignalReading> later = source.sample();

                assertThat(value(later, Signals.REPLICATION_LAG_BYTES)).isPositive();
                assertThat(value(later, Signals.REPLICATION_LAG_SECONDS)).isGreaterThan(first);
            } finally {
                replay.execute("select pg_wal_replay_resume()");
            }
            sandbox.awaitStandbyReplay(Duration.ofSeconds(30));
            assertThat(value(source.sample(), Signals.REPLICATION_LAG_SECONDS)).isZero();
            writes.execute("drop table repl_signal_t");
        }
    }

    @Test
    void anUnreachableStandbyReadsUnknownNotZero(Sandbox sandbox) throws Exception {
        try (Connection primary = sandbox.connectPrimary();
                ReplicationSignalSource source =
                        new ReplicationSignalSource(() -> primary, List.of(sandbox::connectStandby))) {
            sandbox.stopStandby();
            try {
                Map<String, SignalReading> readings = source.sample();

                assertThat(readings.get(Signals.REPLICATION_LAG_SECONDS).isKnown())
                        .isFalse();
                assertThat(readings.get(Signals.REPLICATION_LAG_BYTES).isKnown())
                        .isFalse();
                assertThat(readings.get(Signals.REPLICATION_LAG_SECONDS).describe())
                        .contains("unreachable");
            } finally {
                sandbox.startStandby();
            }
        }
    }

    @Test
    void withoutAStandbyOptionTheStandbysStreamingFromThePrimaryCount(Sandbox sandbox) throws Exception {
        try (Connection primary = sandbox.connectPrimary();
                ReplicationSignalSource source = new ReplicationSignalSource(() -> primary, List.of())) {
            sandbox.awaitStandbyReplay(Duration.ofSeconds(30));
            Map<String, SignalReading> readings = source.sample();

            assertThat(readings.get(Signals.REPLICATION_LAG_BYTES).isKnown()).isTrue();
        }
    }
}
