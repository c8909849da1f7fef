package dev.lockstep.probe;

import java.time.Instant;

/** A replication slot and the WAL it holds back ({@code retainedBytes} from its restart_lsn). */
public record ReplicationSlot(
        String slotName,
        String slotType,
        String database,
        boolean active,
        Integer activePid,
        String walStatus,
        Long safeWalSizeBytes,
        Long retainedBytes,
        Long xminAgeXids,
        Long catalogXminAgeXids,
        Instant inactiveSince,
        String invalidationReason) {}
