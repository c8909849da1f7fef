package dev.lockstep.recovery;

import java.util.Locale;

/**
 * What an operator may do about a failed step (docs/recovery.md, "Options"), and the few answers to the
 * engine's other questions that {@code --decide} can give in advance: a step in doubt ({@link #APPLIED},
 * {@link #RETRY}, {@link #ABORT}) and a backfill about to overrun the window ({@link #CONTINUE},
 * {@link #THROTTLE}, {@link #ABORT}).
 */
public enum Choice {
    /** Run the failed step again. */
    RETRY,
    /** Run the declared repair step (or the built-in one for a leftover), then the failed step again. */
    REPAIR,
    /** Run the declared corrective step instead; the run goes on after it. */
    ROLL_FORWARD,
    /** Run the declared rollback step; the run ends rolled back. */
    ROLLBACK,
    /** Go on without the step (only a step the runbook marks {@code critical: false}). */
    SKIP,
    /** Close the run as abandoned, touching nothing, so that a new run of the runbook can start. */
    ABANDON,
    /** Stop now, touching nothing; the run stays failed and asks again when run again. */
    ABORT,
    /** Inspect the database again (has the blocker gone?) and ask again. */
    RECHECK,
    /**
     * Go on knowing the database is not as expected: a migration ledger's failed entry or held lock found at
     * the start of a run (docs/recovery.md, "Migration ledgers").
     */
    ACKNOWLEDGE,
    /** A step in doubt (started, no recorded end, no verify query) applied: settle it as done and go on. */
    APPLIED,
    /** A backfill about to overrun the change window: go on past the window's end. */
    CONTINUE,
    /** A backfill about to overrun the change window: go on past it with half-size batches. */
    THROTTLE;

    /** The id on the command line and in records: {@code roll-forward}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static java.util.Optional<Choice> ofId(String id) {
        for (Choice choice : values()) {
            if (choice.id().equals(id)) {
                return java.util.Optional.of(choice);
            }
        }
        return java.util.Optional.empty();
    }
}
