package dev.lockstep.cli;

import dev.lockstep.engine.BackfillProgress;
import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.EngineListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Line mode: one line per engine event, and a status line for a running backfill every few seconds.
 * Plain ASCII, no terminal control, so it reads the same in a log file, over a stalled SSH link or in CI.
 */
final class PlainRenderer implements EngineListener {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final Duration STATUS_EVERY = Duration.ofSeconds(5);

    private final PrintWriter out;
    private final boolean everyBatch;
    private Instant lastStatus = Instant.EPOCH;

    PlainRenderer(PrintWriter out, boolean everyBatch) {
        this.out = out;
        this.everyBatch = everyBatch;
    }

    @Override
    public synchronized void on(EngineEvent event) {
        String line = line(event);
        if (line != null) {
            out.println(TIME.format(event.at()) + " " + line);
            out.flush();
        }
    }

    private String line(EngineEvent event) {
        if (event instanceof EngineEvent.RunOpened open) {
            return (open.resumed() ? "resume " : "start  ") + "run " + open.runId() + " of " + open.runbookId()
                    + " on " + open.database() + " as " + open.holder()
                    + (open.takenOverFrom() == null ? "" : " (took over from " + open.takenOverFrom() + ")");
        }
        if (event instanceof EngineEvent.StateChanged state) {
            return "state  " + state.from().label() + " -> " + state.to().label() + ": " + state.reason();
        }
        if (event instanceof EngineEvent.StepStarted step) {
            return "step   " + step.step() + " (" + step.kind() + ") attempt " + step.attempt() + " started";
        }
        if (event instanceof EngineEvent.StepEnded step) {
            return "step   " + step.step() + " " + step.result()
                    + (step.rows() == null ? "" : ", " + step.rows() + " rows")
                    + (step.durationMs() > 0 ? ", " + step.durationMs() + " ms" : "")
                    + (step.sqlState() == null ? "" : ", SQLSTATE " + step.sqlState())
                    + (step.message() == null ? "" : ": " + step.message());
        }
        if (event instanceof EngineEvent.Verified verified) {
            return "verify " + verified.step() + " " + (verified.passed() ? "passed" : "FAILED") + ": expected "
                    + verified.expected() + ", got " + verified.actual();
        }
        if (event instanceof EngineEvent.BatchCommitted batch) {
            return everyBatch
                    ? "batch  " + batch.step() + " #" + batch.batch() + " keys (" + batch.fromKey() + ", "
                            + batch.toKey() + "] " + batch.rows() + " rows in " + batch.durationMs() + " ms, next "
                            + batch.nextSize()
                    : null;
        }
        if (event instanceof EngineEvent.ProgressReported progress) {
            return status(progress);
        }
        if (event instanceof EngineEvent.Breach breach) {
            return "BREACH " + breach.criterion() + " -> " + breach.action() + ": " + breach.detail();
        }
        if (event instanceof EngineEvent.Clear clear) {
            return "clear  " + clear.criterion();
        }
        if (event instanceof EngineEvent.ApprovalGiven approval) {
            return "approve " + approval.step() + " by " + approval.actor() + " (" + approval.source() + "): "
                    + approval.reason();
        }
        if (event instanceof EngineEvent.DecisionMade decision) {
            return "decide " + decision.decision() + " by " + decision.actor() + ": " + decision.reason();
        }
        if (event instanceof EngineEvent.Note note) {
            return "note   " + (note.step() == null ? "" : note.step() + ": ") + note.text();
        }
        if (event instanceof EngineEvent.Recovered recovered) {
            return "recover " + recovered.what() + ": " + recovered.detail();
        }
        if (event instanceof EngineEvent.RunClosed closed) {
            return "end    run " + closed.runId() + " " + closed.state().label() + " (exit " + closed.exitCode() + "): "
                    + closed.message();
        }
        return null;
    }

    private String status(EngineEvent.ProgressReported event) {
        BackfillProgress progress = event.progress();
        boolean finished = progress.eta() != null && progress.eta().isZero();
        if (!finished && Duration.between(lastStatus, event.at()).compareTo(STATUS_EVERY) < 0) {
            return null;
        }
        lastStatus = event.at();
        StringBuilder line = new StringBuilder("status ").append(event.step()).append(' ');
        if (progress.totalEstimate() != null && progress.countsRows()) {
            line.append(progress.rowsDone())
                    .append('/')
                    .append(progress.totalEstimate())
                    .append(" rows (")
                    .append(String.format(Locale.ROOT, "%.1f%%", 100 * Math.max(0, progress.fraction())))
                    .append(", total from ")
                    .append(progress.estimateSource())
                    .append("), ")
                    .append(progress.keysDone())
                    .append(" keys");
        } else if (progress.totalEstimate() != null) {
            line.append(progress.keysDone())
                    .append('/')
                    .append(progress.totalEstimate())
                    .append(" keys (")
                    .append(String.format(Locale.ROOT, "%.1f%%", 100 * Math.max(0, progress.fraction())))
                    .append(", total from ")
                    .append(progress.estimateSource())
                    .append(')');
        } else {
            line.append(progress.keysDone()).append(" keys");
        }
        if (!(progress.totalEstimate() != null && progress.countsRows())) {
            line.append(", ").append(progress.rowsDone()).append(" rows");
        }
        line.append(", ")
                .append(Math.round(progress.rowsPerSecond()))
                .append(" rows/s, batch ")
                .append(progress.batchSize());
        if (progress.eta() != null) {
            line.append(", ETA ").append(duration(progress.eta()));
        }
        if (!progress.pausedFor().isZero()) {
            line.append(", paused ").append(duration(progress.pausedFor()));
        }
        if (progress.windowEnd() != null && progress.projectedFinish() != null) {
            line.append(progress.overrunsWindow() ? ", WILL OVERRUN window end " : ", within window end ")
                    .append(TIME.format(progress.windowEnd()));
        }
        return line.toString();
    }

    private static String duration(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60)
                : String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
}
