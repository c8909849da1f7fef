package dev.lockstep.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.LockstepException;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SandboxExtension.class)
class MonitorConnectionTest {

    /** A clock the test moves by hand, so the backoff schedule is checked without waiting. */
    private static final class HandClock extends Clock {
        private Instant now = Instant.parse("2026-11-20T10:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void retriesWithABackoffThatDoublesToFifteenSecondsAndRecovers(Sandbox sandbox) throws SQLException {
        HandClock clock = new HandClock();
        Instant firstFailure = clock.instant();
        List<Instant> attempts = new ArrayList<>();
        boolean[] serverUp = {false};
        MonitorConnection monitor = new MonitorConnection(
                () -> {
                    attempts.add(clock.instant());
                    if (!serverUp[0]) {
                        throw LockstepException.unreachable("cannot connect to nowhere: connection refused", null);
                    }
                    try {
                        return sandbox.connectPrimary();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                },
                clock);

        List<Long> gaps = new ArrayList<>();
        for (int tick = 0; tick < 70; tick++) {
            assertThat(monitor.connection()).isEmpty();
            clock.advance(Duration.ofSeconds(1));
        }
        for (int index = 1; index < attempts.size(); index++) {
            gaps.add(Duration.between(attempts.get(index - 1), attempts.get(index))
                    .toSeconds());
        }
        assertThat(gaps).startsWith(1L, 2L, 4L, 8L, 15L, 15L);
        assertThat(monitor.unreachableSince()).isEqualTo(firstFailure);
        assertThat(monitor.unreachableReason()).contains("connection refused");

        serverUp[0] = true;
        clock.advance(Duration.ofSeconds(15));
        try (Connection connection = monitor.connection().orElseThrow()) {
            assertThat(monitor.justOpened()).isTrue();
            assertThat(monitor.unreachableSince()).isNull();
            assertThat(connection.isValid(2)).isTrue();
        }
    }
}
