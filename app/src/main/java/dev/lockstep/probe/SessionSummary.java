package dev.lockstep.probe;

/** Counters over the sessions of the monitored database (the monitoring session excluded). */
public record SessionSummary(
        int clientSessions,
        int active,
        int idleInTransaction,
        int waitingOnLocks,
        Double oldestXactSeconds,
        Long oldestXminAgeXids) {}
