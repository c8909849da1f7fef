package dev.lockstep.tui.console;

import dev.lockstep.criteria.CriterionState;
import dev.lockstep.criteria.CriterionStatus;
import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.Question;
import dev.lockstep.engine.RunState;
import dev.lockstep.engine.RunView;
import dev.lockstep.probe.BlockingRoot;
import dev.lockstep.probe.Locks;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.runbook.StopAction;
import dev.lockstep.tui.FailureText;
import dev.lockstep.tui.Units;
import dev.lockstep.tui.console.Look.Role;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one line under the header that says what needs attention and the safe next action, most important first:
 * how the run ended, a stop under way, a question waiting, a pause and what lifts it (naming the blocker when
 * a lock queue paused it), a throttle, a criterion about to breach, a window about to be overrun; else that
 * nothing needs the operator.
 */
record Banner(String text, String action, Role role, String terse) {

    /** A banner without a separate action: all of it is the text, cut at the edge if need be. */
    Banner(String text, Role role) {
        this(text, null, role, null);
    }

    /** A banner whose action is kept whole on a narrow screen. */
    Banner(String text, String action, Role role) {
        this(text, action, role, null);
    }

    /**
     * The banner in {@code width} columns: when it is too long, the terse text (when there is one) takes the
     * text's place, else the text is cut; the action is kept whole, as it is what the operator is to do next.
     */
    String fit(Painter painter, int width) {
        if (action == null) {
            return text;
        }
        String whole = text + " " + action;
        if (whole.length() <= width || action.length() + 2 > width) {
            return whole;
        }
        String shorter = terse == null ? text : terse;
        return painter.fit(shorter, width - action.length() - 1) + " " + action;
    }

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);

    static Banner of(Frame frame) {
        RunView run = frame.run();
        if (run == null) {
            return watching(frame.snapshot());
        }
        if (run.outcome() != null) {
            return ended(run);
        }
        if (run.stopping() != null) {
            return new Banner(
                    (run.aborting() ? "ABORTING: " : "STOPPING: ")
                            + run.stopping()
                            + (run.aborting()
                                    ? "; the statement in flight is cancelled, the run stops resumable"
                                    : "; the run stops after the batch or statement in flight, resumable"),
                    Role.ATTENTION);
        }
        Question question = run.question();
        if (question != null && question.kind() == Question.Kind.FAILURE && question.failure() != null) {
            boolean hidden = question.id().equals(frame.ui().hiddenQuestion);
            return new Banner(
                    (FailureText.beforeAnyStep(question.failure().failure())
                                    ? "FOUND before the first step: "
                                    : "FAILED at " + question.step() + ": ")
                            + question.failure().failure().failureClass().id() + ". "
                            + question.failure().failure().explanation() + ". Nothing runs until you decide:",
                    frame.readOnly()
                            ? "the operator running it decides"
                            : hidden ? "Enter opens the options (hidden)" : "Enter opens the options",
                    Role.ALARM);
        }
        if (question != null) {
            boolean hidden = question.id().equals(frame.ui().hiddenQuestion);
            return new Banner(
                    "QUESTION" + (question.step() == null ? "" : " at " + question.step()) + ": " + question.text(),
                    frame.readOnly()
                            ? "(the operator running it answers)"
                            : hidden ? "Enter opens it (hidden)" : "Enter answers",
                    Role.ATTENTION);
        }
        if (run.awaiting() != null) {
            // the command itself is on the footer, the one line wide enough for it
            return new Banner(
                    "WAITING for a second approver at " + run.awaiting().step() + " (class R5; another OS user than "
                            + user(run.awaiting().firstApprover()) + ", from their own terminal).",
                    frame.readOnly() ? null : "s stops (resumable)",
                    Role.ATTENTION,
                    "WAITING at " + run.awaiting().step() + " for a 2nd approver (not "
                            + user(run.awaiting().firstApprover()) + "): the command below");
        }
        if (run.state() == RunState.PAUSED) {
            return paused(run, frame.snapshot());
        }
        if (run.state() == RunState.THROTTLED) {
            return criteria(run, StopAction.THROTTLE, frame.snapshot())
                    .map(wording -> new Banner(
                            "THROTTLED by " + wording.text()
                                    + (wording.action() == null ? "" : " " + wording.action())
                                    + ": smaller batches, longer pauses",
                            Role.ATTENTION))
                    .orElse(new Banner("THROTTLED: " + run.stateReason(), Role.ATTENTION));
        }
        for (CriterionStatus status : run.criteria()) {
            if (status.state() == CriterionState.PENDING) {
                return new Banner(
                        "WARNING: " + status.id() + " " + describe(status) + "; it acts ("
                                + SignalText.action(status.criterion()) + ") if this lasts "
                                + Units.duration(status.criterion().debounce()),
                        Role.ATTENTION);
            }
        }
        if (run.progress() != null && run.progress().overrunsWindow()) {
            return new Banner(
                    "WINDOW: the backfill would end ~"
                            + CLOCK.withZone(frame.zone()).format(run.progress().projectedFinish())
                            + ", after the window ends at "
                            + CLOCK.withZone(frame.zone()).format(run.progress().windowEnd())
                            + ": t retunes, s stops at a safe point (resumable)",
                    Role.ATTENTION);
        }
        if (run.runId() == null) {
            return new Banner("STARTING: taking the run's lease and opening its timeline", Role.DIM);
        }
        String step = run.currentStep();
        return new Banner(
                "RUNNING" + (step == null ? "" : " " + step) + ", step " + (run.stepsDone() + (step == null ? 0 : 1))
                        + " of " + run.steps().size() + ". Nothing needs you.",
                Role.OK);
    }

    /** {@code root} of {@code root@vm}. */
    private static String user(String userAtHost) {
        int at = userAtHost.lastIndexOf('@');
        return at < 0 ? userAtHost : userAtHost.substring(0, at);
    }

    private static Banner ended(RunView run) {
        RunView.Outcome outcome = run.outcome();
        String message = outcome.message() == null ? "" : outcome.message();
        return switch (outcome.state()) {
            case DONE -> run.openedAt() == null
                    // the lease found the runbook completed by an earlier run: nothing ran in this process
                    ? new Banner("DONE earlier: " + message + ". q quits", Role.OK)
                    : new Banner("DONE: every step completed (exit 0). q quits; then verify the timeline", Role.OK);
            case FAILED -> new Banner(
                    "FAILED (exit " + outcome.exitCode() + "): " + message
                            + (run.failure() != null
                                    ? ". q quits; running the same command again asks what to do about step "
                                            + run.failure().failure().stepId()
                                    : ". Nothing more runs; q quits, and running again resumes"),
                    Role.ALARM);
            case ROLLED_BACK -> new Banner(
                    "ROLLED BACK (exit " + outcome.exitCode() + "): " + message + ". q quits", Role.ATTENTION);
            case ABANDONED -> new Banner(
                    "ABANDONED (exit " + outcome.exitCode() + "): " + message + ". q quits", Role.ATTENTION);
            default -> new Banner(
                    "STOPPED (exit " + outcome.exitCode() + ", resumable): " + message + ". q quits", Role.ATTENTION);
        };
    }

    private static Banner paused(RunView run, Snapshot snapshot) {
        if (run.stateCause() == EngineEvent.StateChanged.Cause.OPERATOR) {
            return new Banner(
                    "PAUSED by " + run.stateBy() + ": " + run.stateReason() + ".",
                    "r resumes, s stops (resumable)",
                    Role.ATTENTION);
        }
        if (run.stateCause() == EngineEvent.StateChanged.Cause.CONNECTION) {
            return new Banner(
                    "CONTROL SESSION LOST: " + run.stateReason() + "; reconnecting for up to 2 minutes.",
                    "s stops",
                    Role.ALARM);
        }
        return criteria(run, StopAction.PAUSE, snapshot)
                .map(wording -> new Banner(
                        "PAUSED by " + wording.text(),
                        wording.action(),
                        Role.ALARM,
                        wording.terse() == null ? null : "PAUSED by " + wording.terse()))
                .orElse(new Banner("PAUSED: " + run.stateReason(), Role.ALARM));
    }

    /**
     * The criteria in force with this action: the reading against the limit, what lifts it, and for a lock queue
     * who blocks.
     */
    private static Optional<Wording> criteria(RunView run, StopAction action, Snapshot snapshot) {
        List<CriterionStatus> inForce = run.criteria().stream()
                .filter(status -> status.state().inForce() && status.criterion().action() == action)
                .toList();
        if (inForce.isEmpty()) {
            return Optional.empty();
        }
        CriterionStatus first = inForce.get(0);
        StringBuilder text = new StringBuilder(first.id()).append(": ");
        if (first.state() != CriterionState.HELD
                && SignalText.aboutLocks(first.criterion().signal().key())) {
            Optional<BlockingRoot> root = firstRoot(snapshot);
            if (root.isPresent()) {
                // the reading, who blocks and where to end it; at 80 columns what the blocker is doing gives
                // way (the database pane shows it) before where to end it does
                String reading = text.append(describe(first)).append("; ").toString();
                return Optional.of(new Wording(
                        reading + compactRoot(root.get()),
                        reading + "pid " + root.get().pid() + " blocks",
                        "(2: locks, K ends it)"));
            }
        }
        if (first.state() == CriterionState.HELD) {
            text.append(SignalText.name(first.criterion().signal().key()))
                    .append(" cleared; it waits for you to resume (Enter)");
        } else {
            text.append(describe(first)).append("; ");
            if (SignalText.aboutLocks(first.criterion().signal().key())) {
                // who blocks is what the operator acts on: before the rest, which a narrow screen cuts
                blocker(snapshot).ifPresent(blocker -> text.append(blocker).append(" (2: locks); "));
            }
            text.append(
                    first.criterion().autoResume() || action == StopAction.THROTTLE
                            ? "goes on by itself at " + SignalText.clearsAt(first.criterion())
                            : "you are asked to resume at " + SignalText.clearsAt(first.criterion()));
        }
        if (inForce.size() > 1) {
            text.append("; and ").append(inForce.size() - 1).append(" more");
        }
        if (action == StopAction.PAUSE) {
            text.append("; s stop, A abort");
        }
        return Optional.of(new Wording(text.toString(), null, null));
    }

    /**
     * What the criteria in force say: the words, shorter words for a narrow screen (or null), and the action to
     * keep whole (or null).
     */
    private record Wording(String text, String terse, String action) {}

    /** {@code lag 12s > 6s}. */
    private static String describe(CriterionStatus status) {
        String signal = status.criterion().signal().key();
        return SignalText.name(signal) + " " + SignalText.reading(signal, status.reading()) + " "
                + SignalText.limit(status.criterion());
    }

    /** The session that blocks the most others, named so that the operator can find it. */
    static Optional<String> blocker(Snapshot snapshot) {
        return firstRoot(snapshot).map(Banner::root);
    }

    private static Optional<BlockingRoot> firstRoot(Snapshot snapshot) {
        if (snapshot == null || snapshot.locks().isEmpty()) {
            return Optional.empty();
        }
        return snapshot.locks().get().roots().stream().findFirst();
    }

    /**
     * {@code blocker pid 4242 idle in transaction 2m holds AccessShareLock on orders (alice billing)}: what it
     * is doing and what it holds first, as that is what the operator acts on; who it is last.
     */
    static String root(BlockingRoot root) {
        StringBuilder text =
                new StringBuilder("blocker pid ").append(root.pid()).append(' ');
        text.append(root.state() == null ? "(ended)" : root.state());
        if (root.xactAgeSeconds() != null) {
            text.append(' ').append(Units.seconds(root.xactAgeSeconds()));
        }
        if (root.holds() != null) {
            text.append(" holds ").append(root.holds());
        }
        String who = (root.user() == null ? "" : root.user())
                + (root.application() == null || root.application().isBlank() ? "" : " " + root.application());
        if (!who.isBlank()) {
            text.append(" (").append(who.strip()).append(')');
        }
        return text.toString();
    }

    /** {@code pid 4242 idle in xact 2m blocks it}: the blocker in the fewest words. */
    private static String compactRoot(BlockingRoot root) {
        String state = root.state() == null ? "ended" : root.state().replace("idle in transaction", "idle in xact");
        return "pid " + root.pid() + " " + state
                + (root.xactAgeSeconds() == null ? "" : " " + Units.seconds(root.xactAgeSeconds())) + " blocks";
    }

    private static Banner watching(Snapshot snapshot) {
        if (snapshot == null) {
            return new Banner("connecting to the primary", Role.DIM);
        }
        if (!snapshot.primary().reachable()) {
            return new Banner("PRIMARY UNREACHABLE: " + snapshot.primary().whyUnreachable() + "; retrying", Role.ALARM);
        }
        if (snapshot.locks().isPresent() && !snapshot.locks().get().waiting().isEmpty()) {
            Locks locks = snapshot.locks().get();
            return new Banner(
                    locks.waiting().size() + " waiting for locks, longest "
                            + Units.seconds(locks.longestWaitSeconds().orElse(0)) + "; "
                            + blocker(snapshot).orElse("blocker unknown") + " (2: locks)",
                    Role.ALARM);
        }
        return new Banner("No lock waits. Watching (read-only): 2 locks, 3 replication, q quits", Role.OK);
    }
}
