package dev.lockstep.engine;

import dev.lockstep.criteria.CriterionEvent;
import dev.lockstep.criteria.CriterionStatus;
import dev.lockstep.criteria.SignalReading;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.recovery.Diagnosis;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything the engine reports, as typed values: the timeline, the console and the plain renderer listen,
 * and none of them parses text the engine wrote. {@link #type()} is the timeline's event type and
 * {@link #body()} its body; {@link #recorded()} says whether the timeline keeps it (the per-second
 * observations and the questions in flight are for screens only).
 */
public sealed interface EngineEvent {

    Instant at();

    /** The timeline event type (open, state, step_start, step_end, verify, batch, ...). */
    String type();

    default String step() {
        return null;
    }

    default int attempt() {
        return 0;
    }

    /** Who acted: {@code engine}, or the OS user for operator actions. */
    default String actor() {
        return "engine";
    }

    Map<String, Object> body();

    /** Whether the timeline writes this event; false for what only screens need. */
    default boolean recorded() {
        return true;
    }

    /** The run began or resumed; {@code takenOverFrom} names a holder that had died. */
    record RunOpened(
            Instant at,
            String runId,
            String runbookId,
            String runbookSha256,
            String database,
            String holder,
            boolean resumed,
            String takenOverFrom)
            implements EngineEvent {
        public String type() {
            return "open";
        }

        public Map<String, Object> body() {
            return fields(
                    "run_id",
                    runId,
                    "runbook_id",
                    runbookId,
                    "runbook_sha256",
                    runbookSha256,
                    "database",
                    database,
                    "holder",
                    holder,
                    "resumed",
                    resumed,
                    "taken_over_from",
                    takenOverFrom);
        }
    }

    /**
     * The run's state changed. {@code cause} says what moved it and {@code by} who or what: the criteria in
     * force (comma-separated ids) for {@code CRITERIA}, the operator ({@code user@host}) for {@code OPERATOR};
     * null otherwise. {@code reason} is the words alone (an operator's pause reason as typed): a front end that
     * names the actor takes it from {@code by}, so nothing says it twice.
     */
    record StateChanged(Instant at, RunState from, RunState to, String reason, Cause cause, String by)
            implements EngineEvent {

        /** What moved the run into its new state. */
        public enum Cause {
            /** The run started, or went on after nothing stood in the way any more. */
            START,
            /** Stop criteria: a throttle, a pause, an abort, or their clearing. */
            CRITERIA,
            /** An operator's command or answer. */
            OPERATOR,
            /** The control session was lost, or re-established. */
            CONNECTION,
            /** How the run ended: done, stopped, failed. */
            OUTCOME
        }

        public String type() {
            return "state";
        }

        public Map<String, Object> body() {
            return fields(
                    "from",
                    from.label(),
                    "to",
                    to.label(),
                    "reason",
                    reason,
                    "cause",
                    cause.name().toLowerCase(Locale.ROOT),
                    "by",
                    by);
        }
    }

    record StepStarted(Instant at, String step, String kind, int attempt, boolean transactional)
            implements EngineEvent {
        public String type() {
            return "step_start";
        }

        public Map<String, Object> body() {
            return fields("kind", kind, "transactional", transactional);
        }
    }

    /** {@code result} is ok, failed, skipped (already done in an earlier process) or stopped. */
    record StepEnded(
            Instant at,
            String step,
            int attempt,
            String result,
            Long rows,
            long durationMs,
            String sqlState,
            String message)
            implements EngineEvent {
        public String type() {
            return "step_end";
        }

        public Map<String, Object> body() {
            return fields(
                    "result",
                    result,
                    "rows",
                    rows,
                    "duration_ms",
                    durationMs,
                    "sqlstate",
                    sqlState,
                    "message",
                    message);
        }
    }

    /** A check, wait or verify query ran: {@code sql} is the query, {@code passed} whether it met {@code expected}. */
    record Verified(Instant at, String step, String sql, boolean passed, String expected, String actual)
            implements EngineEvent {
        public String type() {
            return "verify";
        }

        public Map<String, Object> body() {
            return fields("sql", sql, "passed", passed, "expected", expected, "actual", actual);
        }
    }

    record BatchCommitted(
            Instant at,
            String step,
            long batch,
            String fromKey,
            String toKey,
            long keys,
            long rows,
            long durationMs,
            int nextSize,
            long keysDone,
            long rowsDone)
            implements EngineEvent {
        public String type() {
            return "batch";
        }

        public Map<String, Object> body() {
            return fields(
                    "batch",
                    batch,
                    "from",
                    fromKey,
                    "to",
                    toKey,
                    "keys",
                    keys,
                    "rows",
                    rows,
                    "duration_ms",
                    durationMs,
                    "next_size",
                    nextSize,
                    "keys_done",
                    keysDone,
                    "rows_done",
                    rowsDone);
        }
    }

    /** A stop criterion breached: which, on what reading, against which threshold, and what it asks. */
    record Breach(Instant at, CriterionEvent change) implements EngineEvent {
        public String criterion() {
            return change.criterionId();
        }

        public String type() {
            return "breach";
        }

        public Map<String, Object> body() {
            return criterionBody(change);
        }
    }

    /** A breached criterion cleared: its reading is back past the clear threshold. */
    record Clear(Instant at, CriterionEvent change) implements EngineEvent {
        public String criterion() {
            return change.criterionId();
        }

        public String type() {
            return "clear";
        }

        public Map<String, Object> body() {
            return criterionBody(change);
        }
    }

    /**
     * What one sample of the criteria saw: the probe snapshot of the primary and standbys, every criterion's
     * status (ok, pending, breached, held) and every signal's reading. Once per sampling interval, for screens;
     * the timeline keeps its periodic {@link Sampled} instead.
     */
    record Observed(Instant at, Snapshot snapshot, List<CriterionStatus> criteria, Map<String, SignalReading> readings)
            implements EngineEvent {
        public Observed {
            criteria = List.copyOf(criteria);
            readings = Map.copyOf(readings);
        }

        public String type() {
            return "observed";
        }

        public boolean recorded() {
            return false;
        }

        public Map<String, Object> body() {
            return fields("criteria", criteria.size(), "signals", readings.size());
        }
    }

    /**
     * A stop was asked for (an operator's command, a signal): the run stops at its next safe point, or now for
     * an abort, which cancels the statement in flight. For screens (STOPPING); why the run stopped is in the
     * close record, and an operator's command in its decision.
     */
    record StopRequested(Instant at, String reason, boolean abort) implements EngineEvent {
        public String type() {
            return "stopping";
        }

        public boolean recorded() {
            return false;
        }

        public Map<String, Object> body() {
            return fields("reason", reason, "abort", abort);
        }
    }

    /** The engine waits for an answer to {@code question}; the answer is recorded as an approval or decision. */
    record QuestionAsked(Instant at, Question question) implements EngineEvent {
        public String step() {
            return question.step();
        }

        public String type() {
            return "ask";
        }

        public boolean recorded() {
            return false;
        }

        public Map<String, Object> body() {
            return fields("question", question.id(), "kind", question.kind().name(), "text", question.text());
        }
    }

    /** The question is no longer pending: answered, or left unanswered (nobody could, or a stop came first). */
    record QuestionClosed(Instant at, String questionId, boolean answered) implements EngineEvent {
        public String type() {
            return "asked";
        }

        public boolean recorded() {
            return false;
        }

        public Map<String, Object> body() {
            return fields("question", questionId, "answered", answered);
        }
    }

    /**
     * An R5 gate has its first approval and waits for a second approver, another OS user, who runs {@code
     * command} from their own terminal. The timeline records it as a {@code note} (with the first approver and
     * the command); the second approval is an {@code approval} record when it lands.
     */
    record ApprovalAwaited(Instant at, String step, String firstApprover, String command) implements EngineEvent {
        public String type() {
            return "note";
        }

        /** The words for a screen and the timeline's note. */
        public String text() {
            return "waiting for a second approver (class R5: another OS user than " + firstApprover + "): run `"
                    + command + "` from another account";
        }

        public Map<String, Object> body() {
            return fields("text", text(), "first_approver", firstApprover, "command", command);
        }
    }

    /**
     * {@code source} is {@code command-line} for {@code --approve}, {@code prompt} for an operator at a terminal,
     * {@code lockstep approve} for the second approver of an R5 gate.
     */
    record ApprovalGiven(Instant at, String step, String actor, String reason, String source) implements EngineEvent {
        public String type() {
            return "approval";
        }

        public Map<String, Object> body() {
            return fields("reason", reason, "source", source);
        }
    }

    /**
     * A person decided: an answer to a question, or a command to the run (pause, resume, retune, stop,
     * abort). Recorded before the decision acts. {@code detail} says what it changes when the decision alone
     * does not (a retune's new values); null otherwise.
     */
    record DecisionMade(Instant at, String step, String actor, String decision, String reason, String detail)
            implements EngineEvent {
        public DecisionMade(Instant at, String step, String actor, String decision, String reason) {
            this(at, step, actor, decision, reason, null);
        }

        public String type() {
            return "decision";
        }

        public Map<String, Object> body() {
            return fields("decision", decision, "reason", reason, "detail", detail);
        }
    }

    /**
     * A step failed and was classified: the class, the facts inspection found and the options with their
     * preconditions. Recorded before anyone decides, so the timeline shows what the decision was taken on.
     */
    record FailureFound(Instant at, Diagnosis diagnosis) implements EngineEvent {
        public String step() {
            return diagnosis.failure().stepId();
        }

        public int attempt() {
            return diagnosis.failure().attempt();
        }

        public String type() {
            return "failure";
        }

        public Map<String, Object> body() {
            return diagnosis.body();
        }
    }

    /**
     * A failed step the run goes on past without it succeeding, by the operator's decision: a roll-forward
     * step took its place, or the runbook allowed leaving it out.
     */
    record StepSettled(Instant at, String step, Settlement how, String detail) implements EngineEvent {
        /** How a failed step was settled. */
        public enum Settlement {
            /** The declared roll-forward step ran in its place. */
            ROLLED_FORWARD,
            /** Left out: the runbook marks it {@code critical: false}. */
            LEFT_OUT
        }

        public String type() {
            return "note";
        }

        public Map<String, Object> body() {
            return fields("text", detail, "settled", how.name().toLowerCase(Locale.ROOT));
        }
    }

    record Note(Instant at, String step, String text) implements EngineEvent {
        public String type() {
            return "note";
        }

        public Map<String, Object> body() {
            return fields("text", text);
        }
    }

    /** Something was found and dealt with: a dead holder taken over, a lost session re-established. */
    record Recovered(Instant at, String step, String what, String detail) implements EngineEvent {
        public String type() {
            return "recover";
        }

        public Map<String, Object> body() {
            return fields("what", what, "detail", detail);
        }
    }

    /** A backfill's progress, for status lines and the console; the timeline may sample it. */
    record ProgressReported(Instant at, String step, BackfillProgress progress) implements EngineEvent {
        public String type() {
            return "progress";
        }

        public Map<String, Object> body() {
            return progress.toMap();
        }
    }

    /** The latest signal readings, every few seconds while the run goes on: the evidence charts' data. */
    record Sampled(Instant at, String step, Map<String, Object> readings) implements EngineEvent {
        public Sampled {
            readings = Map.copyOf(readings);
        }

        public String type() {
            return "sample";
        }

        public Map<String, Object> body() {
            return new java.util.TreeMap<>(readings);
        }
    }

    record RunClosed(Instant at, String runId, RunState state, int exitCode, String message) implements EngineEvent {
        public String type() {
            return "close";
        }

        public Map<String, Object> body() {
            return fields("run_id", runId, "state", state.label(), "exit_code", exitCode, "message", message);
        }
    }

    /** A breach or clear as the timeline records it: every member a value, the reading's reason when unknown. */
    private static Map<String, Object> criterionBody(CriterionEvent change) {
        boolean breach = change.kind() == CriterionEvent.Kind.BREACH;
        return fields(
                "criterion",
                change.criterionId(),
                "signal",
                change.signal(),
                "value",
                change.reading() instanceof SignalReading.Value value ? value.value() : null,
                "unknown",
                change.reading() instanceof SignalReading.Unknown unknown ? unknown.reason() : null,
                "comparison",
                breach ? change.comparison().tripSymbol() : change.comparison().clearSymbol(),
                "threshold",
                change.threshold(),
                "action",
                change.action().name().toLowerCase(Locale.ROOT));
    }

    /** A body map in the given order; null values are left out. */
    static Map<String, Object> fields(Object... keysAndValues) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                body.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return body;
    }
}
