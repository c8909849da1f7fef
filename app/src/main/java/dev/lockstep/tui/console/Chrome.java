package dev.lockstep.tui.console;

import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.RunState;
import dev.lockstep.engine.RunView;
import dev.lockstep.probe.ServerSnapshot;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.tui.FailureText;
import dev.lockstep.tui.Units;
import dev.lockstep.tui.console.Look.Role;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What every pane shares: two header rows (what runs where, who runs it, for how long, the state word spelled
 * out), the banner, and the footer of keys (or the message a command left).
 */
final class Chrome {

    /** Rows above a pane's body: header, header, banner. */
    static final int TOP = 3;

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private Chrome() {}

    static void draw(Painter painter, Frame frame) {
        header(painter, frame);
        Banner banner = Banner.of(frame);
        painter.bar(2, banner.fit(painter, painter.width()), banner.role());
        footer(painter, frame);
    }

    /** The state word and how it reads: the colour repeats what the word says. */
    record StateWord(String word, Role role) {}

    static StateWord state(RunView run) {
        if (run.outcome() != null) {
            return switch (run.outcome().state()) {
                case DONE -> new StateWord("DONE", Role.OK);
                case FAILED -> new StateWord("FAILED", Role.BAD);
                case ROLLED_BACK -> new StateWord("ROLLED BACK", Role.WARN);
                case ABANDONED -> new StateWord("ABANDONED", Role.BAD);
                default -> new StateWord("STOPPED", Role.WARN);
            };
        }
        if (run.stopping() != null) {
            return new StateWord(run.aborting() ? "ABORTING" : "STOPPING", Role.WARN);
        }
        if (run.failure() != null) {
            // a step failed and waits for a decision: nothing runs until someone decides
            return FailureText.beforeAnyStep(run.failure().failure())
                    ? new StateWord("LEDGER", Role.BAD)
                    : new StateWord("FAILED", Role.BAD);
        }
        return switch (run.state()) {
            case PENDING -> new StateWord("STARTING", Role.DIM);
            case RUNNING -> new StateWord("RUNNING", Role.OK);
            case THROTTLED -> new StateWord("THROTTLED", Role.WARN);
            case PAUSED -> new StateWord(
                    "PAUSED", run.stateCause() == EngineEvent.StateChanged.Cause.OPERATOR ? Role.WARN : Role.BAD);
            default -> new StateWord(run.state().label().toUpperCase(Locale.ROOT), Role.WARN);
        };
    }

    private static void header(Painter painter, Frame frame) {
        RunView run = frame.run();
        if (run == null) {
            watchHeader(painter, frame);
            return;
        }
        StateWord state = state(run);
        String stateBox = "[ " + state.word() + " ]";
        int room = painter.width() - stateBox.length() - 1;
        int at = painter.text(0, 0, "LOCKSTEP ", room, Role.TITLE);
        at += painter.text(at, 0, run.runbookId(), room - at, Role.TITLE);
        if (run.database() != null) {
            painter.text(at, 0, "  on " + run.database(), room - at, Role.NORMAL);
        }
        painter.right(0, stateBox, state.role());

        List<String> facts = new ArrayList<>();
        if (run.runId() != null) {
            facts.add("run " + run.runId());
        }
        if (run.holder() != null) {
            facts.add(run.holder());
        }
        if (run.openedAt() != null) {
            facts.add("up " + Units.duration(Duration.between(run.openedAt(), frame.now())));
        }
        if (run.windowEnd() != null) {
            Duration left = Duration.between(frame.now(), run.windowEnd());
            facts.add(
                    left.isNegative()
                            ? "WINDOW ENDED " + CLOCK.withZone(frame.zone()).format(run.windowEnd())
                            : "window " + roughly(left) + " left");
        }
        String flag = frame.readOnly()
                ? "READ-ONLY"
                : run.question() != null
                        ? "ASK: "
                                + run.question()
                                        .kind()
                                        .name()
                                        .toLowerCase(Locale.ROOT)
                                        .replace('_', ' ')
                        : "";
        // facts that do not fit go whole, the least needed first (who runs it, then the run id), rather than the
        // last one cut: the window left is what a tired operator reads, and half a fact reads as another
        int factsRoom = painter.width() - flag.length() - 1;
        for (String least : new String[] {run.holder(), run.runId() == null ? null : "run " + run.runId()}) {
            if (least != null && String.join("  ", facts).length() > factsRoom) {
                facts.remove(least);
            }
        }
        painter.text(0, 1, String.join("  ", facts), factsRoom, Role.DIM);
        if (!flag.isEmpty()) {
            painter.right(1, flag, frame.readOnly() ? Role.TITLE : Role.WARN);
        }
    }

    /** 45s, 12m, 2h03m: how long is left, to the minute once it is minutes. */
    static String roughly(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }

    private static void watchHeader(Painter painter, Frame frame) {
        Snapshot snapshot = frame.snapshot();
        String box = "[ WATCHING ]";
        int at = painter.text(0, 0, "LOCKSTEP watch", Role.TITLE);
        if (snapshot != null) {
            ServerSnapshot primary = snapshot.primary();
            String host =
                    primary.target().replaceFirst("^[a-z]+://([^@/]*@)?", "").replaceFirst("/.*$", "");
            String where = primary.server() == null
                    ? host
                    : primary.server().database() + " on " + host + ", PostgreSQL "
                            + primary.server().version();
            painter.text(at, 0, "  " + where, painter.width() - at - box.length() - 1, Role.NORMAL);
            painter.text(
                    0,
                    1,
                    "sampled " + SECONDS.withZone(frame.zone()).format(snapshot.takenAt()) + " in "
                            + Math.round(snapshot.durationMs()) + " ms",
                    Role.DIM);
        }
        painter.right(0, box, Role.TITLE);
        painter.right(1, "READ-ONLY", Role.TITLE);
    }

    private static void footer(Painter painter, Frame frame) {
        int row = painter.height() - 1;
        ConsoleState ui = frame.ui();
        if (ui.flash != null && frame.now().isBefore(ui.flash.until())) {
            painter.bar(row, ui.flash.text(), ui.flash.bad() ? Role.ALARM : Role.ATTENTION);
            return;
        }
        RunView awaited = frame.run();
        if (awaited != null && awaited.awaiting() != null && awaited.outcome() == null) {
            // what the second approver types, whole: the --db value gives way first on a narrow screen
            String command = awaited.awaiting().command();
            String line = "2nd approver runs: " + command;
            if (line.length() > painter.width()) {
                line = "2nd approver runs: " + command.replaceFirst("--db \\S+", "--db CONN");
            }
            if (line.length() > painter.width()) {
                // the banner says who runs it: the command alone, whole, matters more than saying so twice
                line = command.replaceFirst("--db \\S+", "--db CONN");
            }
            painter.bar(row, line, Role.ATTENTION);
            return;
        }
        List<String[]> keys = keys(frame);
        // help and quit always show: the others take the room left before them
        List<String[]> last = keys.subList(Math.max(0, keys.size() - 2), keys.size());
        int reserved = last.stream()
                .mapToInt(key -> key[0].length() + key[1].length() + 2)
                .sum();
        int at = 0;
        for (String[] key : keys.subList(0, keys.size() - last.size())) {
            if (at + key[0].length() + key[1].length() + 2 > painter.width() - reserved) {
                break;
            }
            at = key(painter, row, at, key);
        }
        for (String[] key : last) {
            at = key(painter, row, at, key);
        }
    }

    private static int key(Painter painter, int row, int at, String[] key) {
        int next = at + painter.text(at, row, key[0], Role.KEY);
        return next + painter.text(next, row, " " + key[1] + " ", Role.NORMAL);
    }

    /** The keys that do something now, most useful first; the footer shows as many as fit. */
    static List<String[]> keys(Frame frame) {
        List<String[]> keys = new ArrayList<>();
        RunView run = frame.run();
        ConsoleState ui = frame.ui();
        if (ui.editingFilter) {
            keys.add(new String[] {"Enter", "apply"});
            keys.add(new String[] {"Esc", "clear filter"});
            return keys;
        }
        boolean active = run != null && run.outcome() == null && !frame.readOnly();
        if (active && run.question() != null) {
            keys.add(new String[] {"Enter", "answer"});
        } else if (active
                && run.stopping() == null
                && run.state() == RunState.PAUSED
                && run.stateCause() == EngineEvent.StateChanged.Cause.CRITERIA
                && run.criteria().stream()
                        .anyMatch(status -> status.state().inForce()
                                && status.criterion().action() == dev.lockstep.runbook.StopAction.PAUSE)) {
            // Enter opens the pause's choices (keep waiting, stop, abort): the key must say so
            keys.add(new String[] {"Enter", "choices"});
        }
        if (active && run.stopping() == null) {
            if (run.state() == RunState.PAUSED && run.stateCause() == EngineEvent.StateChanged.Cause.OPERATOR) {
                keys.add(new String[] {"r", "resume"});
            } else {
                keys.add(new String[] {"p", "pause"});
            }
            keys.add(new String[] {"s", "stop"});
            keys.add(new String[] {"A", "abort"});
            if (run.progress() != null
                    && run.currentStep() != null
                    && run.currentStep().equals(run.progressStep())) {
                keys.add(new String[] {"t", "tune"});
            }
        }
        if (ui.pane == ConsoleState.Pane.LOCKS && !frame.readOnly() && run != null) {
            keys.add(new String[] {"c", "cancel"});
            keys.add(new String[] {"K", "kill"});
        }
        if (ui.pane == ConsoleState.Pane.EVENTS) {
            // before the other panes: what this pane does is what a full footer must not drop
            keys.add(new String[] {"/", "filter"});
        }
        for (ConsoleState.Pane pane : ConsoleState.Pane.values()) {
            if (pane != ui.pane && (run != null || pane != ConsoleState.Pane.EVENTS)) {
                keys.add(new String[] {String.valueOf(pane.key), pane.shortTitle});
            }
        }
        keys.add(new String[] {"?", "help"});
        keys.add(new String[] {"q", "quit"});
        return keys;
    }
}
