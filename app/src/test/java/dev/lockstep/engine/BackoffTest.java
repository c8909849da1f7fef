package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void everyWaitIsWithinTheDeclaredRange() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(2));
        for (int retry = 1; retry <= 12; retry++) {
            for (int sample = 0; sample < 200; sample++) {
                assertThat(backoff.delay(retry))
                        .as("retry " + retry)
                        .isBetween(Duration.ofMillis(500), Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void theFirstRetryWaitsTheRangesLowerEndAndLaterOnesGrowToItsUpperEnd() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(2));
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(500));
        // retry 4 would wait 4 s uncapped: capped at 2 s, jittered between 1 s and 2 s
        for (int sample = 0; sample < 200; sample++) {
            assertThat(backoff.delay(4)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
        }
    }
}
