package dev.lockstep.engine;

import java.time.Instant;

/**
 * One row of the Lockstep schema's {@code run} table: who runs (or ran) which runbook, and where it stands.
 *
 * @param failureJson the failure of a step that waits for a decision (docs/recovery.md, "The failure
 *     record"); null when none does
 */
public record RunRecord(
        String runId,
        String runbookId,
        String database,
        String runbookSha256,
        String holder,
        long pid,
        Instant startedAt,
        Instant heartbeatAt,
        RunState state,
        String currentStep,
        String progressJson,
        Instant endedAt,
        String failureJson) {

    /** "user@host pid 1234", how an operator finds the process. */
    public String holderDescription() {
        return holder + " pid " + pid;
    }
}
