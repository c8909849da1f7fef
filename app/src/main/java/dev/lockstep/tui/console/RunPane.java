package dev.lockstep.tui.console;

import dev.lockstep.criteria.CriterionStatus;
import dev.lockstep.engine.BackfillProgress;
import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.RunState;
import dev.lockstep.engine.RunView;
import dev.lockstep.probe.BlockingRoot;
import dev.lockstep.probe.LockWait;
import dev.lockstep.probe.Locks;
import dev.lockstep.probe.MigrationLedger;
import dev.lockstep.probe.ReplicationSlot;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.probe.StandbyLag;
import dev.lockstep.tui.LedgerText;
import dev.lockstep.tui.Units;
import dev.lockstep.tui.console.Look.Role;
import dev.lockstep.tui.plain.RunLines;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Pane 1, the run: steps beside the backfill, the stop criteria, one database summary, the latest events. At
 * 80x24 every section has its minimum; a taller terminal gives the rows to more steps, every criterion, the
 * blocking tree and each standby's lag sparkline, then to events.
 */
final class RunPane {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    /** Rows each section has at 80x24. */
    private static final int STEPS = 5;

    private static final int CRITERIA = 3;
    private static final int DATABASE = 2;
    private static final int EVENTS = 6;

    /** The steps list's columns: state, then the id, the kind and the time. */
    private static final int STATUS_WIDTH = 6;

    private static final int KIND_WIDTH = 9;
    private static final int TIME_WIDTH = 9;

    private RunPane() {}

    static void draw(Painter painter, Frame frame) {
        RunView run = frame.run();
        int top = Chrome.TOP;
        int body = painter.height() - 1 - top;
        int extra = Math.max(0, body - (STEPS + CRITERIA + DATABASE + EVENTS + 4));
        int steps = STEPS + Math.min(extra, Math.max(0, run.steps().size() - STEPS));
        extra -= steps - STEPS;
        int criteria = CRITERIA + Math.min(extra, Math.max(0, run.criteria().size() - CRITERIA));
        extra -= criteria - CRITERIA;
        List<Line> database = databaseLines(painter, frame);
        int databaseRows = DATABASE + Math.min(extra, Math.max(0, database.size() - DATABASE));
        extra -= databaseRows - DATABASE;
        int events = EVENTS + extra;

        int row = top;
        row = stepsAndBackfill(painter, frame, row, steps);
        row = criteria(painter, frame, row, criteria);
        painter.rule(
                0,
                row++,
                "DATABASE"
                        + (frame.snapshot() == null
                                ? " (not sampled yet)"
                                : " (sampled "
                                        + SECONDS.withZone(frame.zone())
                                                .format(frame.snapshot().takenAt()) + ")"),
                painter.width());
        for (int i = 0; i < databaseRows; i++, row++) {
            if (i < database.size()) {
                painter.text(1, row, database.get(i).text(), database.get(i).role());
            }
        }
        painter.rule(0, row++, "EVENTS (4: all, / filter)", painter.width());
        events(painter, frame, row, events);
    }

    /** A line of text in one role. */
    record Line(String text, Role role) {}

    private static int stepsAndBackfill(Painter painter, Frame frame, int row, int rows) {
        RunView run = frame.run();
        int left = painter.width() / 2;
        painter.rule(0, row, "STEPS " + run.stepsDone() + "/" + run.steps().size(), left);
        List<Line> detail = detail(painter, frame);
        String detailTitle = detailTitle(run);
        painter.rule(left, row, detailTitle, painter.width() - left);
        row++;
        List<RunView.StepView> steps = run.steps();
        int current = currentIndex(run);
        int first = Math.max(0, Math.min(current - 1, steps.size() - rows));
        int longestId =
                steps.stream().mapToInt(step -> step.id().length()).max().orElse(0);
        // the id is what the operator knows the step by (from the runbook, from --decide): when an id would be
        // cut, the kind column gives way to it (the detail pane and the events name the kind)
        boolean kinds = longestId <= (left - 1) - STATUS_WIDTH - KIND_WIDTH - TIME_WIDTH - 1;
        for (int i = 0; i < rows; i++) {
            int index = first + i;
            if (index < steps.size()) {
                step(painter, frame, row + i, left - 1, steps.get(index), index == current, kinds);
            }
            painter.vertical(left, row + i);
            if (i < detail.size()) {
                painter.text(
                        left + 2, row + i, detail.get(i).text(), detail.get(i).role());
            }
        }
        if (first > 0) {
            painter.text(left - 4, row, "(^)", Role.DIM);
        }
        if (first + rows < steps.size()) {
            painter.text(left - 4, row + rows - 1, "(v)", Role.DIM);
        }
        return row + rows;
    }

    private static int currentIndex(RunView run) {
        List<RunView.StepView> steps = run.steps();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).id().equals(run.currentStep())) {
                return i;
            }
        }
        for (int i = 0; i < steps.size(); i++) {
            RunView.StepStatus status = steps.get(i).status();
            if (status != RunView.StepStatus.OK && status != RunView.StepStatus.SKIPPED) {
                return i;
            }
        }
        return Math.max(0, steps.size() - 1);
    }

    private static void step(
            Painter painter, Frame frame, int row, int width, RunView.StepView step, boolean current, boolean kinds) {
        String status;
        Role role;
        switch (step.status()) {
            case OK -> {
                status = "ok";
                role = Role.OK;
            }
            case SKIPPED -> {
                status = "done";
                role = Role.DIM;
            }
            case RUNNING -> {
                status = ">>";
                role = Role.TITLE;
            }
            case FAILED -> {
                status = "FAIL";
                role = Role.BAD;
            }
            case RETRYING -> {
                status = "again";
                role = Role.WARN;
            }
            case STOPPED -> {
                status = "stop";
                role = Role.WARN;
            }
            case IN_DOUBT -> {
                status = "??";
                role = Role.BAD;
            }
            default -> {
                status = current ? ".." : "";
                role = Role.DIM;
            }
        }
        RunView run = frame.run();
        if (run.question() != null
                && step.id().equals(run.question().step())
                && step.status() == RunView.StepStatus.PENDING) {
            status = "ASK";
            role = Role.WARN;
        }
        String time = stepTime(step, frame.now());
        // fixed columns, so that kinds and times line up whatever a row holds
        int kindWidth = kinds ? KIND_WIDTH : 0;
        int idWidth = Math.max(8, width - STATUS_WIDTH - kindWidth - TIME_WIDTH);
        painter.text(0, row, painter.column(status, STATUS_WIDTH), role);
        painter.text(STATUS_WIDTH, row, painter.column(step.id(), idWidth - 1), current ? Role.TITLE : Role.NORMAL);
        if (kinds) {
            painter.text(STATUS_WIDTH + idWidth, row, painter.column(step.kind(), kindWidth), Role.DIM);
        }
        String shownTime = painter.fit(time, TIME_WIDTH);
        painter.text(width - shownTime.length(), row, shownTime, Role.NORMAL);
    }

    /** How long the step took, or has taken so far, against its estimate when it has one. */
    private static String stepTime(RunView.StepView step, Instant now) {
        Duration elapsed = step.status() == RunView.StepStatus.RUNNING && step.startedAt() != null
                ? Duration.between(step.startedAt(), now)
                : step.elapsed();
        if (elapsed == null) {
            return step.estimate() == null ? "" : "est " + estimate(step.estimate());
        }
        if (elapsed.isZero()) {
            return "";
        }
        String taken = elapsed.toMillis() < 1000 ? elapsed.toMillis() + "ms" : Units.duration(elapsed);
        return step.estimate() == null ? taken : taken + "/" + estimate(step.estimate());
    }

    /**
     * A runbook's estimate as it was written, a round figure ({@code 2m}, not {@code 2m00s}), so that the time
     * spent and the estimate fit the column together.
     */
    private static String estimate(Duration estimate) {
        long seconds = estimate.toSeconds();
        if (seconds >= 3600 && seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds >= 60 && seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return Units.duration(estimate);
    }

    private static String detailTitle(RunView run) {
        if (run.progressStep() != null) {
            return "BACKFILL " + run.progressStep();
        }
        return run.currentStep() == null ? "NOW" : "STEP " + run.currentStep();
    }

    /** The right-hand side: the backfill's progress when there is one, else the step in flight. */
    private static List<Line> detail(Painter painter, Frame frame) {
        RunView run = frame.run();
        List<Line> lines = new ArrayList<>();
        BackfillProgress progress = run.progress();
        if (progress != null) {
            double fraction = progress.fraction();
            int barWidth = 20;
            int filled = fraction < 0 ? 0 : (int) Math.round(fraction * barWidth);
            String bar = "[" + String.valueOf(painter.look().full()).repeat(filled)
                    + String.valueOf(painter.look().empty()).repeat(barWidth - filled) + "] "
                    + (fraction < 0 ? "?" : String.format(Locale.ROOT, "%.1f%%", fraction * 100));
            lines.add(new Line(bar, Role.NORMAL));
            String total = progress.totalEstimate() == null
                    ? ""
                    : " / " + Units.approximately(progress.totalEstimate()) + " (" + source(progress.estimateSource())
                            + ")";
            lines.add(new Line(
                    Units.count(progress.countsRows() ? progress.rowsDone() : progress.keysDone())
                            + (progress.countsRows() ? " rows" : " keys")
                            + total,
                    Role.NORMAL));
            lines.add(new Line(
                    // the keys of a batch: the line above counts keys (or rows) already; at 80 columns the aim
                    // must fit beside the steps
                    Units.count(Math.round(progress.rowsPerSecond())) + " rows/s  batch "
                            + Units.count(progress.batchSize())
                            + (progress.target() == null ? " keys" : ", aim " + millis(progress.target())),
                    Role.NORMAL));
            Optional<RunView.StepView> backfill =
                    Optional.ofNullable(run.progressStep()).flatMap(run::step);
            if (backfill.isPresent() && backfill.get().status() == RunView.StepStatus.OK) {
                // an ETA of 0s once it is over says less than how long it took
                Duration took = backfill.get().elapsed();
                lines.add(new Line(took == null ? "done" : "done in " + Units.duration(took), Role.OK));
            } else {
                lines.add(
                        run.state() == RunState.PAUSED
                                ? new Line("paused: no batch runs, the ETA waits", Role.WARN)
                                : eta(progress, frame));
            }
            List<String> pauses = new ArrayList<>();
            if (!progress.pause().isZero()) {
                pauses.add("pause " + millis(progress.pause()));
            }
            if (!progress.pausedFor().isZero()) {
                pauses.add("paused " + Units.duration(progress.pausedFor()));
            }
            if (run.state() == RunState.THROTTLED) {
                pauses.add("THROTTLED: smaller batches");
            }
            if (!progress.countsRows()) {
                pauses.add(Units.count(progress.rowsDone()) + " rows set");
            }
            lines.add(new Line(String.join("  ", pauses), run.state() == RunState.THROTTLED ? Role.WARN : Role.DIM));
            return lines;
        }
        Optional<RunView.StepView> step = Optional.ofNullable(run.currentStep()).flatMap(run::step);
        if (step.isPresent() && step.get().status() == RunView.StepStatus.RETRYING) {
            lines.add(new Line("attempt " + step.get().attempt() + " failed:", Role.WARN));
            // the error on two rows of the pane (the events pane and the timeline hold it whole)
            String message = step.get().message() == null
                    ? "(no message)"
                    : step.get().message().replaceFirst("^ERROR: ", "");
            int width = painter.width() - painter.width() / 2 - 2;
            List<String> wrapped = Dialog.wrap(message, width);
            lines.add(new Line(wrapped.get(0), Role.NORMAL));
            if (wrapped.size() > 1) {
                lines.add(new Line(
                        painter.fit(String.join(" ", wrapped.subList(1, wrapped.size())), width), Role.NORMAL));
            }
            lines.add(new Line(
                    run.state() == RunState.PAUSED ? "paused; tried again after the resume" : "it is tried again",
                    Role.DIM));
        } else if (step.isPresent()) {
            lines.add(new Line(
                    step.get().kind() + " step, attempt "
                            + Math.max(1, step.get().attempt()),
                    Role.NORMAL));
            lines.add(new Line("running for " + stepTime(step.get(), frame.now()), Role.NORMAL));
            if (step.get().check() != null) {
                lines.add(check(step.get().check()));
            }
        } else if (run.question() != null) {
            lines.add(new Line("waiting for your answer:", Role.WARN));
            lines.add(new Line(run.question().text(), Role.NORMAL));
            lines.add(new Line("Enter opens the question", Role.DIM));
        } else if (run.outcome() == null) {
            lines.add(new Line(run.runId() == null ? "opening the run" : "between steps", Role.DIM));
        } else {
            RunView.StepView last = lastWithCheck(run);
            if (last != null) {
                lines.add(new Line("last check, " + last.id() + ":", Role.DIM));
                lines.add(check(last.check()));
            }
        }
        return lines;
    }

    private static RunView.StepView lastWithCheck(RunView run) {
        RunView.StepView found = null;
        for (RunView.StepView step : run.steps()) {
            if (step.check() != null) {
                found = step;
            }
        }
        return found;
    }

    private static Line check(EngineEvent.Verified check) {
        return new Line(
                (check.passed() ? "ok: got " : "FAILED: got ") + check.actual() + ", expected " + check.expected(),
                check.passed() ? Role.OK : Role.BAD);
    }

    private static String source(String estimateSource) {
        return switch (estimateSource == null ? "" : estimateSource) {
            case "runbook" -> "runbook";
            case "pg_class.reltuples" -> "planner est.";
            case "count" -> "counted";
            default -> estimateSource;
        };
    }

    private static String millis(Duration duration) {
        return duration.toMillis() < 1000 ? duration.toMillis() + "ms" : Units.seconds(duration.toMillis() / 1000.0);
    }

    /** When it will be done against the window: the finish to the second when it is minutes away. */
    private static Line eta(BackfillProgress progress, Frame frame) {
        if (progress.eta() == null) {
            return new Line("ETA unknown (no total or rate yet)", Role.DIM);
        }
        DateTimeFormatter clock = progress.eta().toMinutes() < 10 ? SECONDS : CLOCK;
        String finish = progress.projectedFinish() == null
                ? ""
                : " (" + clock.withZone(frame.zone()).format(progress.projectedFinish()) + ")";
        if (progress.windowEnd() == null) {
            return new Line("ETA " + Units.duration(progress.eta()) + finish + ", no window", Role.NORMAL);
        }
        String window = "window to " + CLOCK.withZone(frame.zone()).format(progress.windowEnd());
        return progress.overrunsWindow()
                ? new Line("ETA " + Units.duration(progress.eta()) + finish + " OVERRUNS " + window, Role.BAD)
                : new Line("ETA " + Units.duration(progress.eta()) + finish + ", " + window + " ok", Role.OK);
    }

    private static int criteria(Painter painter, Frame frame, int row, int rows) {
        RunView run = frame.run();
        int[] at = columns(painter.width());
        painter.rule(0, row, "STOP CRITERIA", painter.width());
        painter.text(at[2], row, " now ", Role.TITLE);
        painter.text(at[3], row, " limit ", Role.TITLE);
        painter.text(at[4], row, " action ", Role.TITLE);
        painter.text(at[5], row, " state ", Role.TITLE);
        row++;
        List<CriterionStatus> statuses = new ArrayList<>(run.criteria());
        if (statuses.isEmpty()) {
            painter.text(1, row, "this runbook has no stop criteria", Role.DIM);
            return row + rows;
        }
        statuses.sort(Comparator.comparingInt(RunPane::urgency));
        for (int i = 0; i < rows && i < statuses.size(); i++) {
            boolean lastRow = i == rows - 1 && statuses.size() > rows;
            if (lastRow) {
                List<String> rest = statuses.subList(i, statuses.size()).stream()
                        .map(status -> status.id() + " " + status.state().name().toLowerCase(Locale.ROOT))
                        .toList();
                painter.text(1, row + i, "+" + rest.size() + " more: " + String.join(", ", rest), Role.DIM);
                break;
            }
            criterion(painter, frame, row + i, at, statuses.get(i));
        }
        return row + rows;
    }

    /** Breached and held first, then pending, then ok. */
    private static int urgency(CriterionStatus status) {
        return switch (status.state()) {
            case BREACHED -> 0;
            case HELD -> 1;
            case PENDING -> 2;
            case OK -> 3;
        };
    }

    private static int[] columns(int width) {
        // id, signal, now, limit, action, state; the id takes what a wider terminal adds
        int id = 16 + Math.max(0, (width - 80) / 2);
        return new int[] {1, 1 + id, 1 + id + 14, 1 + id + 14 + 10, 1 + id + 14 + 10 + 10, 1 + id + 14 + 10 + 10 + 9};
    }

    private static void criterion(Painter painter, Frame frame, int row, int[] at, CriterionStatus status) {
        String signal = status.criterion().signal().key();
        Role state =
                switch (status.state()) {
                    case OK -> Role.OK;
                    case PENDING, HELD -> Role.WARN;
                    case BREACHED -> Role.BAD;
                };
        painter.text(at[0], row, painter.column(status.id(), at[1] - at[0] - 1), Role.NORMAL);
        painter.text(at[1], row, painter.column(SignalText.name(signal), at[2] - at[1] - 1), Role.DIM);
        painter.text(
                at[2],
                row,
                painter.column(SignalText.reading(signal, status.reading()), at[3] - at[2] - 1),
                status.reading().isKnown() ? Role.NORMAL : Role.BAD);
        painter.text(at[3], row, painter.column(SignalText.limit(status.criterion()), at[4] - at[3] - 1), Role.NORMAL);
        painter.text(at[4], row, painter.column(SignalText.action(status.criterion()), at[5] - at[4] - 1), Role.NORMAL);
        String since = Units.duration(Duration.between(status.since(), frame.now()));
        String word =
                switch (status.state()) {
                    case OK -> "ok";
                    case PENDING -> "pending " + since;
                    case BREACHED -> "BREACH " + since;
                    case HELD -> "HELD: cleared";
                };
        painter.text(at[5], row, word, state);
    }

    /** The database in a few lines: lock waits and who blocks, lag per standby, slots, the oldest transaction. */
    static List<Line> databaseLines(Painter painter, Frame frame) {
        List<Line> lines = new ArrayList<>();
        Snapshot snapshot = frame.snapshot();
        if (snapshot == null) {
            lines.add(new Line("the first sample has not come in yet", Role.DIM));
            return lines;
        }
        if (!snapshot.primary().reachable()) {
            lines.add(new Line("PRIMARY UNREACHABLE: " + snapshot.primary().whyUnreachable(), Role.BAD));
            return lines;
        }
        Optional<Locks> locks = snapshot.locks();
        if (locks.isEmpty()) {
            lines.add(new Line("locks: unknown (" + snapshot.lockWaitSeconds().unknownReason() + ")", Role.BAD));
        } else if (locks.get().waiting().isEmpty()) {
            lines.add(new Line("locks: no waits", Role.OK));
        } else {
            lines.add(new Line(
                    "locks: " + locks.get().waiting().size() + " waiting, longest "
                            + Units.seconds(locks.get().longestWaitSeconds().orElse(0))
                            + Banner.blocker(snapshot).map(text -> "; " + text).orElse(""),
                    Role.BAD));
        }
        List<String> others = new ArrayList<>();
        if (snapshot.standbyLag().isEmpty()) {
            others.add("lag " + lagWithoutStandbys(snapshot));
        }
        for (StandbyLag lag : snapshot.standbyLag()) {
            others.add(lag.label() + " lag " + (lag.lagSeconds() == null ? "unknown" : Units.seconds(lag.lagSeconds()))
                    + (lag.lagBytes() == null ? "" : " " + Units.bytes(lag.lagBytes()))
                    + (lag.replayPaused() ? " REPLAY PAUSED" : ""));
        }
        List<ReplicationSlot> slots = snapshot.primary().replicationSlots();
        if (slots != null && !slots.isEmpty()) {
            others.add("slots hold "
                    + Units.bytes(
                            snapshot.slotRetainedBytes().known()
                                    ? snapshot.slotRetainedBytes().value()
                                    : 0));
        }
        others.add("oldest xact "
                + (snapshot.oldestXactSeconds().known()
                        ? Units.seconds(snapshot.oldestXactSeconds().value())
                        : "unknown"));
        // a ledger with a failed entry or a held lock takes the second row, before lag and oldest xact (at
        // 80x24 only two rows show); a healthy one waits for a taller terminal
        List<MigrationLedger> ledgers = snapshot.primary().ledgers() == null
                ? List.of()
                : snapshot.primary().ledgers();
        for (MigrationLedger ledger : ledgers) {
            if (ledger.hasFailed() || ledger.lock() != null) {
                lines.add(new Line("ledger " + LedgerText.line(ledger), Role.BAD));
            }
        }
        lines.add(new Line(String.join("  ", others), Role.NORMAL));
        for (MigrationLedger ledger : ledgers) {
            if (!ledger.hasFailed() && ledger.lock() == null) {
                lines.add(new Line("ledger " + LedgerText.line(ledger), Role.DIM));
            }
        }
        // what a taller terminal shows: the blocking trees, then each standby's lag over the last minutes
        locks.ifPresent(found -> {
            for (BlockingRoot root : found.roots()) {
                lines.add(new Line(Banner.root(root) + ", " + root.sessionsBlocked() + " queue behind it", Role.BAD));
                for (LockWait wait : found.waiting()) {
                    if (wait.blockedBy().contains(root.pid())) {
                        lines.add(new Line(
                                "  <- pid " + wait.pid() + " " + wait.user() + " waits "
                                        + Units.seconds(wait.waitSeconds()) + " for " + wait.mode()
                                        + (wait.relation() == null ? "" : " on " + wait.relation()),
                                Role.NORMAL));
                    }
                }
            }
        });
        int sparkWidth = Math.max(10, painter.width() - 40);
        for (StandbyLag lag : snapshot.standbyLag()) {
            lines.add(new Line(
                    painter.column(lag.label() + " lag, 10 min:", 22)
                            + frame.lag()
                                    .sparkline(
                                            lag.label(),
                                            sparkWidth,
                                            painter.look().levels()),
                    Role.DIM));
        }
        return lines;
    }

    private static String lagWithoutStandbys(Snapshot snapshot) {
        return snapshot.replicationLagSeconds().known()
                ? Units.seconds(snapshot.replicationLagSeconds().value())
                : "unknown (no standby: --standby watches one)";
    }

    private static void events(Painter painter, Frame frame, int row, int rows) {
        RunLines describe = new RunLines(frame.zone(), false);
        List<EngineEvent> recent = frame.run().recent();
        int shown = 0;
        for (int i = recent.size() - 1; i >= 0 && shown < rows; i--) {
            EngineEvent event = recent.get(i);
            Optional<RunLines.Line> line = describe.describe(event);
            if (line.isEmpty()) {
                continue;
            }
            EventsPane.line(painter, frame, row + shown, event, line.get());
            shown++;
        }
        if (shown == 0) {
            painter.text(1, row, "no events yet", Role.DIM);
        }
    }
}
