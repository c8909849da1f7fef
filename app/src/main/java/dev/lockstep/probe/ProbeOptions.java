package dev.lockstep.probe;

import dev.lockstep.pg.SessionLimits;
import java.time.Clock;
import java.time.Duration;

/**
 * @param longTransaction a transaction older than this is listed (idle-in-transaction ones always are)
 * @param limits the monitoring sessions' bounds
 * @param clock client time for taken_at, durations and reconnect backoff
 */
public record ProbeOptions(Duration longTransaction, SessionLimits limits, Clock clock) {

    public static ProbeOptions defaults() {
        return new ProbeOptions(Duration.ofSeconds(60), SessionLimits.monitor(), Clock.systemUTC());
    }
}
