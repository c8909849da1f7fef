package dev.lockstep.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * An operator's command to a running run, from any front end through its {@link RunHandle}. Each is recorded
 * in the timeline as a decision (who, why) before it acts.
 */
public sealed interface Command {

    /** The OS user and host of the person who gave it ({@code user@host}). */
    String actor();

    /** Why, in the operator's words: recorded with the decision. */
    String reason();

    /** The decision's name in the timeline. */
    String name();

    /** No new batch or step starts until the operator resumes; the run shows PAUSED. */
    record Pause(String actor, String reason) implements Command {
        public Pause {
            require(actor, reason);
        }

        public String name() {
            return "pause";
        }
    }

    /** Lifts the operator's pause. */
    record Resume(String actor, String reason) implements Command {
        public Resume {
            require(actor, reason);
        }

        public String name() {
            return "resume";
        }
    }

    /**
     * Changes the running backfill's pace from its next batch: the time a batch should take (the batch size
     * adapts to it, within the runbook's min and max keys) and the pause between batches. Null keeps a value.
     */
    record Retune(String actor, String reason, Duration target, Duration pause) implements Command {
        public Retune {
            require(actor, reason);
            if (target == null && pause == null) {
                throw new IllegalArgumentException("a retune changes the batch target, the pause or both");
            }
            if (target != null && (target.isNegative() || target.isZero())) {
                throw new IllegalArgumentException("a batch target must be positive, not " + target);
            }
            if (pause != null && pause.isNegative()) {
                throw new IllegalArgumentException("a pause cannot be negative: " + pause);
            }
        }

        public String name() {
            return "retune";
        }
    }

    /** Stops at the next safe point (after the batch or statement in flight); the run is resumable. */
    record Stop(String actor, String reason) implements Command {
        public Stop {
            require(actor, reason);
        }

        public String name() {
            return "stop";
        }
    }

    /** Cancels the statement in flight and stops now; the run is resumable (what committed stays). */
    record Abort(String actor, String reason) implements Command {
        public Abort {
            require(actor, reason);
        }

        public String name() {
            return "abort";
        }
    }

    /**
     * Cancels the query of another session ({@code pg_cancel_backend}), or terminates it
     * ({@code pg_terminate_backend}): a blocker the operator chose in the console. {@code who} describes the
     * session as the operator saw it when choosing (pid, user, application, query), recorded with the decision.
     */
    record SignalBackend(String actor, String reason, int pid, boolean terminate, String who) implements Command {
        public SignalBackend {
            require(actor, reason);
            if (pid <= 0) {
                throw new IllegalArgumentException("not a backend pid: " + pid);
            }
        }

        public String name() {
            return terminate ? "terminate_backend" : "cancel_backend";
        }
    }

    /** Whether the run took the command (and what came of it), or why not. */
    record Outcome(boolean accepted, String refusal, String result) {
        public static final Outcome ACCEPTED = new Outcome(true, null, null);

        public static Outcome refused(String why) {
            return new Outcome(false, Objects.requireNonNull(why, "why"), null);
        }

        public static Outcome done(String result) {
            return new Outcome(true, null, result);
        }
    }

    private static void require(String actor, String reason) {
        Objects.requireNonNull(actor, "actor");
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a command needs a reason: it is recorded with the decision");
        }
    }
}
