package dev.lockstep.engine;

import dev.lockstep.recovery.Failure;
import java.time.Duration;
import java.util.Optional;

/**
 * A run as {@code lockstep status} tells it: its row, whether the process the row names still holds the
 * run's lease, and how long ago the row last heard from it.
 *
 * <p>The lease's advisory lock decides whether the holder is there, as it decides who may run: a process
 * that was killed or lost its control session (exit 5) leaves its row saying {@code running} until the
 * next run of the runbook takes it over, but its lock went with its session. The heartbeat alone cannot
 * tell: a run waiting at an approval or inside one long statement does not beat.
 *
 * @param holderGone for a run in an active state (pending, running, throttled, paused): true when no session
 *     holds its lease, false when one does; null for a run that ended, or whose row names another database
 * @param heartbeatAge since the row's last heartbeat, by the database's clock
 * @param secondApproval the second approver an R5 gate of the run waits for; null when none
 */
public record RunStatus(RunRecord run, Boolean holderGone, Duration heartbeatAge, SecondApprovals.Wait secondApproval) {

    public RunStatus(RunRecord run, Boolean holderGone, Duration heartbeatAge) {
        this(run, holderGone, heartbeatAge, null);
    }

    /** The failure that waits for a decision, when the row keeps one this version can read. */
    public Optional<Failure> failure() {
        return Optional.ofNullable(FailureRecovery.pending(run.failureJson())).map(FailureRecovery.Pending::failure);
    }
}
