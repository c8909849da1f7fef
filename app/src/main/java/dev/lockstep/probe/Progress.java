package dev.lockstep.probe;

import java.util.List;

/**
 * Long-running maintenance commands with progress reporting. A list is null when its part is off (for
 * example COPY before PostgreSQL 14).
 */
public record Progress(
        List<CreateIndexProgress> createIndex,
        List<VacuumProgress> vacuum,
        List<ClusterProgress> cluster,
        List<CopyProgress> copy) {

    /** CREATE INDEX [CONCURRENTLY]; lockers and the current locker matter in the "waiting for ..." phases. */
    public record CreateIndexProgress(
            int pid,
            String relation,
            String indexName,
            String command,
            String phase,
            Long lockersTotal,
            Long lockersDone,
            Integer currentLockerPid,
            Long blocksTotal,
            Long blocksDone,
            Long tuplesTotal,
            Long tuplesDone,
            Double elapsedSeconds) {}

    /**
     * VACUUM. Before 17 dead tuples are counted ({@code maxDeadTuples}, {@code numDeadTuples}); from 17 the
     * limit is in bytes and the count in item ids ({@code maxDeadTupleBytes}, {@code numDeadItemIds}). The
     * pair the server does not report is null.
     */
    public record VacuumProgress(
            int pid,
            String relation,
            String phase,
            Long heapBlksTotal,
            Long heapBlksScanned,
            Long heapBlksVacuumed,
            Long indexVacuumCount,
            Long maxDeadTuples,
            Long numDeadTuples,
            Long maxDeadTupleBytes,
            Long numDeadItemIds,
            Double elapsedSeconds) {}

    /** CLUSTER and VACUUM FULL. */
    public record ClusterProgress(
            int pid,
            String relation,
            String command,
            String phase,
            Long heapBlksTotal,
            Long heapBlksScanned,
            Long heapTuplesScanned,
            Long heapTuplesWritten,
            Long indexRebuildCount,
            Double elapsedSeconds) {}

    /** COPY FROM/TO (PostgreSQL 14+). */
    public record CopyProgress(
            int pid,
            String relation,
            String command,
            String type,
            Long bytesProcessed,
            Long bytesTotal,
            Long tuplesProcessed,
            Long tuplesExcluded,
            Double elapsedSeconds) {}
}
