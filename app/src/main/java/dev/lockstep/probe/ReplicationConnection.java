package dev.lockstep.probe;

import java.time.Instant;

/**
 * One standby streaming from this server (a pg_stat_replication row). Lag times are null when PostgreSQL
 * does not know them, typically because nothing was written recently; {@code lagState} says which:
 * {@code idle} when the standby has replayed everything sent, {@code unknown} otherwise.
 */
public record ReplicationConnection(
        int pid,
        String user,
        String applicationName,
        String clientAddr,
        String state,
        String syncState,
        String sentLsn,
        String writeLsn,
        String flushLsn,
        String replayLsn,
        Double writeLagSeconds,
        Double flushLagSeconds,
        Double replayLagSeconds,
        Instant replyTime,
        Long sentLagBytes,
        Long writeLagBytes,
        Long flushLagBytes,
        Long replayLagBytes,
        String lagState) {}
