package dev.lockstep.engine;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the engine reports. The engine prints nothing: the timeline, the console and the plain
 * renderer listen. {@link #type()} is the timeline's event type, {@link #body()} its body.
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

    record StateChanged(Instant at, RunState from, RunState to, String reason) implements EngineEvent {
        public String type() {
            return "state";
        }

        public Map<String, Object> body() {
            return fields("from", from.label(), "to", to.label(), "reason", reason);
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

    record Breach(Instant at, String criterion, String action, String detail) implements EngineEvent {
        public String type() {
            return "breach";
        }

        public Map<String, Object> body() {
            return fields("criterion", criterion, "action", action, "detail", detail);
        }
    }

    record Clear(Instant at, String criterion, String detail) implements EngineEvent {
        public String type() {
            return "clear";
        }

        public Map<String, Object> body() {
            return fields("criterion", criterion, "detail", detail);
        }
    }

    /** {@code source} is {@code command-line} for {@code --approve}, {@code prompt} for an operator at a terminal. */
    record ApprovalGiven(Instant at, String step, String actor, String reason, String source) implements EngineEvent {
        public String type() {
            return "approval";
        }

        public Map<String, Object> body() {
            return fields("reason", reason, "source", source);
        }
    }

    record DecisionMade(Instant at, String step, String actor, String decision, String reason) implements EngineEvent {
        public String type() {
            return "decision";
        }

        public Map<String, Object> body() {
            return fields("decision", decision, "reason", reason);
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
