package dev.lockstep.tui.plain;

import dev.lockstep.criteria.CriterionEvent;
import dev.lockstep.criteria.SignalReading;
import dev.lockstep.criteria.Signals;
import dev.lockstep.engine.BackfillProgress;
import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.RunState;
import dev.lockstep.tui.FailureText;
import dev.lockstep.tui.Units;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What line mode prints for each engine event, in the order an operator woken at night reads a line: the
 * time, a tag saying what kind of line it is, then the facts, most important first. Each event is said once:
 * the state change a breach causes names the criterion without repeating its reading, and the run's end
 * line carries the final message the last state change would have repeated.
 *
 * <p>Backfill progress is printed at most every {@link #STATUS_EVERY}; the live signals (replication lag,
 * lock waits) only when they are not quiet, and once more when they are quiet again. Not thread-safe: the
 * renderer serialises calls.
 */
public final class RunLines {

    static final Duration STATUS_EVERY = Duration.ofSeconds(5);
    /** A signals line that has not changed is repeated this often while it is not quiet. */
    static final Duration SIGNALS_REPEAT = Duration.ofSeconds(30);
    /** Replication lag below this is "caught up" for the purpose of staying quiet. */
    private static final double QUIET_LAG_SECONDS = 1.0;

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT);
    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("xxx", Locale.ROOT);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);

    private final LineFormat format;
    private final ZoneId zone;
    private final boolean everyBatch;
    private Instant lastStatus = Instant.EPOCH;
    private Instant lastSignals = Instant.EPOCH;
    private String lastSignalsText;
    private boolean signalsQuiet = true;

    public RunLines(ZoneId zone, boolean everyBatch) {
        this.format = new LineFormat(zone);
        this.zone = zone;
        this.everyBatch = everyBatch;
    }

    /** The lines for one event, wrapped at {@code width} (0: one line per event, as for a log file). */
    public List<String> render(EngineEvent event, int width) {
        if (event instanceof EngineEvent.ProgressReported progress) {
            return status(progress, width);
        }
        if (event instanceof EngineEvent.Sampled sampled) {
            return signals(sampled, width);
        }
        Line line = line(event);
        if (line == null) {
            return List.of();
        }
        List<String> lines = new ArrayList<>(format.lines(event.at(), line.tag(), line.text(), width));
        if (event instanceof EngineEvent.FailureFound found) {
            FailureText.details(found.diagnosis()).forEach(detail -> lines.addAll(format.more(detail, width)));
        }
        return lines;
    }

    /** One event's line without its time: the tag that says what kind of line it is, then the facts. */
    public record Line(String tag, String text) {}

    /**
     * The line of an event worth one, as line mode prints it (the console's events pane shows the same); empty
     * for progress, samples and observations, which have their own status lines, and for what says nothing new.
     */
    public Optional<Line> describe(EngineEvent event) {
        return Optional.ofNullable(line(event));
    }

    private Line line(EngineEvent event) {
        if (event instanceof EngineEvent.RunOpened open) {
            return new Line(
                    open.resumed() ? "resume" : "start",
                    open.runbookId() + " on " + open.database() + ": run " + open.runId() + " by " + open.holder()
                            + (open.takenOverFrom() == null ? "" : ", took over from " + open.takenOverFrom())
                            + " (" + DATE.withZone(zone).format(open.at()) + " UTC"
                            + OFFSET.withZone(zone).format(open.at()).replace("+00:00", "") + ")");
        }
        if (event instanceof EngineEvent.StateChanged state) {
            return stateLine(state);
        }
        if (event instanceof EngineEvent.StepStarted step) {
            return new Line(
                    "step",
                    step.step() + " (" + step.kind() + ")" + (step.attempt() > 1 ? " attempt " + step.attempt() : ""));
        }
        if (event instanceof EngineEvent.StepEnded step) {
            return stepEnded(step);
        }
        if (event instanceof EngineEvent.Verified verified) {
            return new Line(
                    "verify",
                    verified.step() + (verified.passed() ? " ok" : " FAILED") + ": got " + verified.actual()
                            + ", expected " + verified.expected());
        }
        if (event instanceof EngineEvent.BatchCommitted batch) {
            return everyBatch
                    ? new Line(
                            "batch",
                            "#" + batch.batch() + " keys (" + batch.fromKey() + ", " + batch.toKey() + "] "
                                    + Units.count(batch.rows()) + " rows in "
                                    + Units.millis(batch.durationMs())
                                    + ", next " + Units.count(batch.nextSize()))
                    : null;
        }
        if (event instanceof EngineEvent.Breach breach) {
            return new Line(
                    "BREACH",
                    breach.criterion() + ": " + reading(breach.change()) + " -> "
                            + breach.change().action().name().toLowerCase(Locale.ROOT));
        }
        if (event instanceof EngineEvent.Clear clear) {
            return new Line("clear", clear.criterion() + ": " + reading(clear.change()));
        }
        if (event instanceof EngineEvent.ApprovalGiven approval) {
            return new Line(
                    "approve",
                    approval.step() + " by " + approval.actor() + " (" + approval.source() + "): " + approval.reason());
        }
        if (event instanceof EngineEvent.DecisionMade decision) {
            return new Line(
                    "decide",
                    decision.decision() + (decision.step() == null ? "" : " at " + decision.step()) + " by "
                            + decision.actor() + ": " + decision.reason()
                            + (decision.detail() == null ? "" : " (" + decision.detail() + ")"));
        }
        if (event instanceof EngineEvent.FailureFound found) {
            // a migration ledger's finding before the first step is found, not a step that failed
            return new Line(
                    FailureText.beforeAnyStep(found.diagnosis().failure()) ? "FOUND" : "FAILED",
                    FailureText.headline(found.diagnosis()));
        }
        if (event instanceof EngineEvent.StepSettled settled) {
            return new Line("settled", settled.step() + ": " + settled.detail());
        }
        if (event instanceof EngineEvent.ApprovalAwaited awaited) {
            return new Line("WAITING", awaited.step() + ": " + awaited.text());
        }
        if (event instanceof EngineEvent.Note note) {
            return new Line("note", (note.step() == null ? "" : note.step() + ": ") + note.text());
        }
        if (event instanceof EngineEvent.Recovered recovered) {
            return new Line(
                    "recover",
                    recovered.what() + (recovered.step() == null ? "" : " at " + recovered.step()) + ": "
                            + recovered.detail());
        }
        if (event instanceof EngineEvent.RunClosed closed) {
            return endLine(closed);
        }
        return null;
    }

    /**
     * A state change says what the run does now. The start ("started") is the start line's news, and the final
     * state is the end line's; a pause or throttle by a stop criterion names the criterion, whose reading the
     * breach line just gave.
     */
    private static Line stateLine(EngineEvent.StateChanged state) {
        if (state.from() == RunState.PENDING && state.to() == RunState.RUNNING) {
            return null;
        }
        if (!state.to().active()) {
            return null;
        }
        String change = state.from().label() + " -> " + state.to().label();
        if (state.cause() == EngineEvent.StateChanged.Cause.CRITERIA && state.by() != null) {
            return new Line("state", change + " by stop criterion " + state.by());
        }
        String by = state.cause() == EngineEvent.StateChanged.Cause.OPERATOR && state.by() != null
                ? " by " + state.by()
                : "";
        String reason = state.reason() == null ? "" : state.reason();
        return new Line("state", change + by + (reason.isEmpty() ? "" : ": " + reason));
    }

    private static Line stepEnded(EngineEvent.StepEnded step) {
        StringBuilder text = new StringBuilder(step.step());
        if (step.rows() != null) {
            text.append(' ').append(Units.count(step.rows())).append(" rows");
        }
        if (step.durationMs() > 0) {
            text.append(step.result().equals("ok") ? " in " : " after ").append(Units.millis(step.durationMs()));
        }
        if (step.sqlState() != null) {
            text.append(", SQLSTATE ").append(step.sqlState());
        }
        if (step.message() != null) {
            text.append(": ").append(step.message());
        }
        String tag =
                switch (step.result()) {
                    case "ok" -> "ok";
                    case "failed" -> "FAILED";
                    case "skipped" -> "skip";
                    default -> step.result();
                };
        return new Line(tag, text.toString());
    }

    private static Line endLine(EngineEvent.RunClosed closed) {
        String state = closed.state() == RunState.DONE
                ? closed.state().label()
                : closed.state().label().toUpperCase(Locale.ROOT);
        String message = closed.message() == null ? "" : closed.message();
        boolean saysNothingMore = message.isBlank() || message.equals("run " + closed.runId() + " done");
        return new Line(
                "end",
                "run " + closed.runId() + " " + state + ", exit " + closed.exitCode()
                        + (saysNothingMore ? "" : ": " + message));
    }

    /**
     * The reading against its threshold, without the criterion and action the line already shows:
     * {@code replication_lag_seconds 11 > 6}, or for a reading that could not be taken
     * {@code replication_lag_seconds unknown (the standby is unreachable ...)}.
     */
    private static String reading(CriterionEvent change) {
        if (!change.reading().isKnown()) {
            return change.signal() + " " + change.reading().describe();
        }
        String symbol = change.kind() == CriterionEvent.Kind.BREACH
                ? change.comparison().tripSymbol()
                : change.comparison().clearSymbol();
        return change.signal() + " " + change.reading().describe() + " " + symbol + " "
                + SignalReading.formatNumber(change.threshold());
    }

    private List<String> status(EngineEvent.ProgressReported event, int width) {
        BackfillProgress progress = event.progress();
        boolean finished = progress.eta() != null && progress.eta().isZero();
        if (!finished && Duration.between(lastStatus, event.at()).compareTo(STATUS_EVERY) < 0) {
            return List.of();
        }
        lastStatus = event.at();
        List<String> parts = new ArrayList<>();
        Long total = progress.totalEstimate();
        if (progress.fraction() >= 0) {
            parts.add(String.format(Locale.ROOT, "%.1f%%", 100 * progress.fraction()));
        }
        boolean rowsShown = progress.countsRows();
        if (total != null && rowsShown) {
            parts.add(Units.count(progress.rowsDone()) + "/" + Units.approximately(total) + " rows");
        } else if (total != null) {
            parts.add(Units.count(progress.keysDone()) + "/" + Units.approximately(total) + " keys");
        } else {
            parts.add(Units.count(progress.keysDone()) + " keys");
        }
        parts.add(Units.count(Math.round(progress.rowsPerSecond())) + " rows/s");
        parts.add("ETA " + (progress.eta() == null ? "unknown" : Units.duration(progress.eta())));
        parts.add("batch " + Units.count(progress.batchSize()));
        if (!rowsShown) {
            // progress counts keys; the rows changed so far come after what says how far and how fast
            parts.add(Units.count(progress.rowsDone()) + " rows");
        }
        if (!progress.pausedFor().isZero()) {
            parts.add("paused " + Units.duration(progress.pausedFor()));
        }
        if (progress.overrunsWindow()) {
            parts.add("OVERRUNS WINDOW: ends " + CLOCK.withZone(zone).format(progress.windowEnd()) + ", done ~"
                    + CLOCK.withZone(zone).format(progress.projectedFinish()));
        }
        return format.parts(event.at(), "fill", parts, width);
    }

    /**
     * Replication lag and lock waits, when they are not quiet: a line when the values change (at most every
     * {@link #STATUS_EVERY}), the same line again after {@link #SIGNALS_REPEAT}, and one line when all is
     * quiet again. A signal missing from the readings could not be read: it shows as unknown, never as 0.
     */
    private List<String> signals(EngineEvent.Sampled sampled, int width) {
        Map<String, Object> readings = sampled.readings();
        Double lagSeconds = number(readings, Signals.REPLICATION_LAG_SECONDS);
        Double lagBytes = number(readings, Signals.REPLICATION_LAG_BYTES);
        Double lockWait = number(readings, Signals.LOCK_WAIT_SECONDS);
        Double blocked = number(readings, Signals.BLOCKED_SESSIONS);
        Double blockedByUs = number(readings, Signals.BLOCKED_BY_US);
        boolean quiet = lagSeconds != null
                && lagSeconds < QUIET_LAG_SECONDS
                && lockWait != null
                && lockWait == 0
                && blocked != null
                && blocked == 0
                && blockedByUs != null
                && blockedByUs == 0;

        List<String> parts = new ArrayList<>();
        parts.add("lag " + (lagSeconds == null ? "unknown" : Units.seconds(lagSeconds))
                + (lagBytes == null || lagSeconds == null ? "" : " " + Units.bytes(lagBytes)));
        if (lockWait == null) {
            // the lock signals are read together: when the wait is unknown, so is who blocks whom
            parts.add("lock waits unknown");
        } else {
            parts.add(
                    lockWait == 0 && (blocked == null || blocked == 0)
                            ? "no lock waits"
                            : "lock wait " + Units.seconds(lockWait)
                                    + (blocked == null ? "" : ", " + Units.count(Math.round(blocked)) + " blocked"));
            if (blockedByUs == null) {
                parts.add("blocked by us unknown");
            } else if (blockedByUs > 0) {
                parts.add("WE BLOCK " + Units.count(Math.round(blockedByUs)));
            }
        }
        String text = String.join("  ", parts);

        boolean print;
        if (quiet) {
            print = !signalsQuiet;
        } else {
            Duration since = Duration.between(lastSignals, sampled.at());
            print = signalsQuiet
                    || (!text.equals(lastSignalsText) && since.compareTo(STATUS_EVERY) >= 0)
                    || since.compareTo(SIGNALS_REPEAT) >= 0;
        }
        signalsQuiet = quiet;
        if (!print) {
            return List.of();
        }
        lastSignals = sampled.at();
        lastSignalsText = text;
        return format.parts(sampled.at(), "signals", parts, width);
    }

    /** A reading's value, or null when the signal could not be read (the readings leave it out). */
    private static Double number(Map<String, Object> readings, String key) {
        return readings.get(key) instanceof Number value && Double.isFinite(value.doubleValue())
                ? value.doubleValue()
                : null;
    }
}
