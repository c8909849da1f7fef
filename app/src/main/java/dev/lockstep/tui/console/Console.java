package dev.lockstep.tui.console;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import dev.lockstep.criteria.CriterionStatus;
import dev.lockstep.engine.Command;
import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Question;
import dev.lockstep.engine.RunHandle;
import dev.lockstep.engine.RunState;
import dev.lockstep.engine.RunView;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.runbook.StopAction;
import dev.lockstep.tui.console.Look.Role;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * The full-screen console: draws a frame from the run's view and the probe snapshot whenever something changed
 * (an event, a key, a resize) and at least once a second, and turns keys into dialogs and commands. Runs on
 * the thread that calls {@link #run}; {@link #wake} may be called from any thread (the run's listener does).
 *
 * <p>Input is polled, never read blocking: lanterna's blocking read holds the terminal's lock and would stall
 * drawing. Between polls the console sleeps until woken or the poll interval passes: {@link #POLL_TYPING}
 * while the operator is typing, so that a reason echoes as it is typed, {@link #POLL_IDLE} otherwise, so that an
 * idle console costs little (polling was a third of its idle CPU at 40 ms) while the first key still answers
 * within a tenth of a second.
 */
public final class Console implements ConsoleActions {

    static final Duration POLL_TYPING = Duration.ofMillis(40);

    static final Duration POLL_IDLE = Duration.ofMillis(100);
    /**
     * A question opens by itself only when no key came for this long: keys typed for one thing (a reason, a
     * pane) must not land in a dialog that opened under them and choose an answer.
     */
    static final Duration QUIET_BEFORE_QUESTION = Duration.ofSeconds(2);

    private static final Duration REDRAW_EVERY = Duration.ofSeconds(1);

    /** What the console shows: the run (null when watching) and the latest probe snapshot. */
    public interface Source {
        RunView run();

        Snapshot snapshot();

        /** The run is over: it ended, or it never opened (the lease was held, the database unreachable). */
        default boolean over() {
            RunView run = run();
            return run != null && run.ended();
        }
    }

    /** What the console asks of the terminal beyond drawing: suspending on Ctrl-Z. */
    public interface TerminalControl {
        /** Gives the terminal back to the shell, stops the process, and takes the terminal again on {@code fg}. */
        void suspend() throws IOException;

        TerminalControl NONE = () -> {};
    }

    private final Screen screen;
    private final Look look;
    private final Clock clock;
    private final Source source;
    private final RunHandle handle;
    private final ConsoleOperator operator;
    private final String actor;
    private final boolean readOnly;
    private final TerminalControl terminal;
    private final ConsoleState ui = new ConsoleState();
    private final LagHistory lag = new LagHistory();
    private final Object wakeup = new Object();
    private volatile boolean woken;
    private volatile boolean suspendRequested;
    private volatile boolean redrawAll;
    private volatile boolean leave;
    /** Set by the command line (the demo) or by a stop signal, from another thread. */
    private volatile boolean exitWhenEnded;

    private String lastQuestionShown;
    private Instant lastDraw = Instant.EPOCH;
    /** When the operator last pressed a key: a question does not open under keys meant for something else. */
    private Instant lastKey = Instant.EPOCH;

    /**
     * @param handle the run to command; null when watching without a run
     * @param operator answers the run's questions; null when nobody here may (watching, observing)
     * @param actor the operator's {@code user@host}, recorded with every decision
     * @param readOnly nothing may change from this console: commands are not sent (the handle refuses them too)
     */
    public Console(
            Screen screen,
            Look look,
            Clock clock,
            Source source,
            RunHandle handle,
            ConsoleOperator operator,
            String actor,
            boolean readOnly,
            TerminalControl terminal) {
        this.screen = screen;
        this.look = look;
        this.clock = clock;
        this.source = source;
        this.handle = handle;
        this.operator = operator;
        this.actor = actor;
        this.readOnly = readOnly;
        this.terminal = terminal;
    }

    /** Leave the console by itself once the run has ended (the demo with --exit). */
    public Console exitWhenEnded() {
        this.exitWhenEnded = true;
        return this;
    }

    /** Something changed: draw soon. Safe from any thread. */
    public void wake() {
        woken = true;
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    /** Ctrl-Z: give the terminal back and stop; the loop does it between frames. Safe from any thread. */
    public void suspend() {
        suspendRequested = true;
        wake();
    }

    /** Leaves the console after the frame in progress (a signal ended a watch). Safe from any thread. */
    public void leave() {
        leave = true;
        wake();
    }

    /** After {@code fg}, or when something else wrote to the terminal: draw every cell again. */
    public void redrawAll() {
        redrawAll = true;
        wake();
    }

    /** Shows frames and takes keys until the operator quits (or the run ends, with {@link #exitWhenEnded}). */
    public void run() throws IOException, InterruptedException {
        while (tick()) {
            synchronized (wakeup) {
                if (!woken) {
                    wakeup.wait((typing() ? POLL_TYPING : POLL_IDLE).toMillis());
                }
            }
        }
    }

    /**
     * One turn of the loop, without waiting: every key that came, a suspend asked for, a resize, and a frame when
     * something changed or a second passed. False once the console is to leave. The headless tests drive the
     * console with it, so that they run exactly the loop an operator meets, one turn at a time.
     */
    boolean tick() throws IOException {
        if (ui.exit || leave) {
            return false;
        }
        boolean changed = false;
        KeyStroke key;
        while (!ui.exit && (key = screen.pollInput()) != null) {
            key(key);
            changed = true;
        }
        if (ui.exit) {
            return false;
        }
        if (suspendRequested) {
            suspendRequested = false;
            terminal.suspend();
            redrawAll = true;
        }
        if (screen.doResizeIfNecessary() != null) {
            // every cell again: a terminal that shrank keeps its bottom lines, one that reflowed moved them, and a
            // delta against the old frame would leave pieces of it where the new frame has blanks
            changed = true;
            redrawAll = true;
        }
        if (woken) {
            woken = false;
            changed = true;
        }
        RunView run = source.run();
        if (source.over() && (exitWhenEnded || ui.quitting || run == null || !run.ended())) {
            // ended and the operator asked to leave then, or never opened: nothing more to show here
            draw();
            return false;
        }
        Instant now = clock.instant();
        if (changed || redrawAll || Duration.between(lastDraw, now).compareTo(REDRAW_EVERY) >= 0) {
            draw();
        }
        return true;
    }

    /** A key came in the last {@link #QUIET_BEFORE_QUESTION}: the operator is at the keyboard. */
    private boolean typing() {
        return Duration.between(lastKey, clock.instant()).compareTo(QUIET_BEFORE_QUESTION) < 0;
    }

    /** Draws one frame from what the run and the probe say now. */
    void draw() throws IOException {
        Instant now = clock.instant();
        lastDraw = now;
        RunView run = source.run();
        Snapshot snapshot = run != null && run.snapshot() != null ? run.snapshot() : source.snapshot();
        lag.add(snapshot);
        openQuestion(run);
        if (ui.dialog instanceof BackendDialog open
                && snapshot != null
                && snapshot.locks().isPresent()) {
            int pid = open.target().pid();
            open.inLockView(LocksPane.sessions(snapshot).stream().anyMatch(session -> session.pid() == pid));
        }
        TerminalSize size = screen.getTerminalSize();
        Painter painter = new Painter(screen.newTextGraphics(), look, size);
        painter.clear();
        if (size.getColumns() < 80 || size.getRows() < 24) {
            tooSmall(painter, size);
        } else {
            Frame frame = new Frame(run, snapshot, lag, ui, now, clock.getZone(), readOnly);
            Chrome.draw(painter, frame);
            if (ui.help) {
                HelpPane.draw(painter, frame);
            } else {
                switch (ui.pane) {
                    case RUN -> {
                        if (run == null) {
                            WatchPane.draw(painter, frame);
                        } else {
                            RunPane.draw(painter, frame);
                        }
                    }
                    case LOCKS -> LocksPane.draw(painter, frame);
                    case REPLICATION -> ReplicationPane.draw(painter, frame);
                    case EVENTS -> EventsPane.draw(painter, frame);
                }
            }
            if (ui.dialog != null) {
                ui.dialog.draw(painter);
            }
        }
        screen.setCursorPosition(null);
        if (redrawAll) {
            redrawAll = false;
            screen.refresh(Screen.RefreshType.COMPLETE);
        } else {
            screen.refresh(Screen.RefreshType.DELTA);
        }
    }

    private void tooSmall(Painter painter, TerminalSize size) {
        List<String> lines = Dialog.wrap(
                "Lockstep's console needs at least 80x24; this terminal is " + size.getColumns() + "x"
                        + size.getRows() + ". Enlarge it, or quit (q) and run again with --plain for line mode."
                        + (source.run() != null && !source.run().ended()
                                ? " The run goes on meanwhile: "
                                        + Chrome.state(source.run()).word()
                                : ""),
                Math.max(10, size.getColumns() - 1));
        for (int i = 0; i < lines.size() && i < size.getRows(); i++) {
            painter.text(0, i, lines.get(i), i == 0 ? Role.TITLE : Role.NORMAL);
        }
    }

    /** A new question opens its dialog by itself, unless another dialog is open or the operator hid it. */
    private void openQuestion(RunView run) {
        Question question = run == null ? null : run.question();
        if (ui.dialog instanceof QuestionDialog open
                && (question == null || !open.question().id().equals(question.id()))) {
            ui.dialog = null;
            ui.flash(
                    "the question was withdrawn: "
                            + (run != null && run.stopping() != null ? run.stopping() : "the run went on"),
                    false,
                    clock.instant());
        }
        if (question == null || operator == null || readOnly || ui.dialog != null) {
            return;
        }
        boolean typing = typing();
        if (!question.id().equals(lastQuestionShown) && !question.id().equals(ui.hiddenQuestion) && !typing) {
            lastQuestionShown = question.id();
            ui.dialog = new QuestionDialog(this, question);
        }
    }

    /** One key: to the open dialog, else to the help, the filter, or the console's own keys. */
    void key(KeyStroke key) throws IOException {
        Instant now = clock.instant();
        lastKey = now;
        if (key.getKeyType() == KeyType.EOF) {
            // the terminal is gone (a dropped SSH session): stop the run at a safe point and leave
            if (handle != null) {
                handle.interrupt("the terminal closed: stopped at a safe point");
            }
            ui.exit = true;
            return;
        }
        if (isCtrl(key, 'c')) {
            if (handle == null || source.run() == null || source.run().ended()) {
                ui.exit = true;
            } else {
                handle.interrupt("Ctrl-C in the console: stopped at a safe point");
                ui.flash("Ctrl-C: the run stops at its next safe point, resumable", false, now);
            }
            return;
        }
        if (isCtrl(key, 'l')) {
            redrawAll = true;
            return;
        }
        if (isCtrl(key, 'z')) {
            suspend();
            return;
        }
        if (ui.dialog != null) {
            Dialog dialog = ui.dialog;
            if (dialog.key(key) == Dialog.Result.CLOSE && ui.dialog == dialog) {
                ui.dialog = dialog.next;
            }
            return;
        }
        if (ui.help) {
            ui.help = false;
            return;
        }
        if (ui.editingFilter) {
            filter(key);
            return;
        }
        switch (key.getKeyType()) {
            case Enter -> enter(now);
            case ArrowDown -> move(1);
            case ArrowUp -> move(-1);
            case PageDown -> move(10);
            case PageUp -> move(-10);
            case Home -> move(-100_000);
            case End -> move(100_000);
            case Escape -> ui.flash = null;
            case Character -> character(key.getCharacter(), now);
            default -> {}
        }
    }

    private void character(char c, Instant now) {
        RunView run = source.run();
        switch (c) {
            case '1' -> ui.pane = ConsoleState.Pane.RUN;
            case '2' -> ui.pane = ConsoleState.Pane.LOCKS;
            case '3' -> ui.pane = ConsoleState.Pane.REPLICATION;
            case '4' -> {
                if (run != null) {
                    ui.pane = ConsoleState.Pane.EVENTS;
                }
            }
            case '?' -> ui.help = true;
            case 'j' -> move(1);
            case 'k' -> move(-1);
            case '/' -> {
                if (run != null) {
                    ui.pane = ConsoleState.Pane.EVENTS;
                    ui.editingFilter = true;
                }
            }
            case 'q' -> quit();
            case 'p' -> command(
                    now,
                    () -> new ReasonDialog(
                            "PAUSE",
                            List.of(new Dialog.Line(
                                    "No new batch or step starts after the one in flight; the run shows PAUSED until you"
                                            + " resume (r).",
                                    Role.NORMAL)),
                            actor,
                            reason -> send(new Command.Pause(actor, reason))));
            case 'r' -> {
                if (run != null && run.question() != null && run.question().kind() == Question.Kind.RESUME) {
                    ui.dialog = new QuestionDialog(this, run.question());
                } else {
                    command(
                            now,
                            () -> new ReasonDialog(
                                    "RESUME",
                                    List.of(new Dialog.Line(
                                            "Lifts your pause: the next batch or step starts.", Role.NORMAL)),
                                    actor,
                                    reason -> send(new Command.Resume(actor, reason))));
                }
            }
            case 't' -> {
                if (run != null
                        && run.progress() != null
                        && run.progressStep() != null
                        && run.progressStep().equals(run.currentStep())) {
                    command(now, () -> new RetuneDialog(this, run.progressStep(), run.progress()));
                } else {
                    ui.flash("retune changes a backfill's pace: no backfill is running", true, now);
                }
            }
            case 's' -> command(now, this::stopDialog);
            case 'A' -> command(now, () -> new AbortDialog(this));
            case 'c', 'K' -> {
                if (ui.pane != ConsoleState.Pane.LOCKS) {
                    ui.flash("cancel (c) and terminate (K) act on a session selected in the locks pane (2)", true, now);
                    return;
                }
                Frame frame = frame(now);
                LocksPane.selected(frame)
                        .ifPresentOrElse(
                                target -> command(now, () -> new BackendDialog(this, target, c == 'K')),
                                () -> ui.flash("no session to select: nobody waits for a lock", true, now));
            }
            default -> {}
        }
    }

    private Dialog stopDialog() {
        return new ReasonDialog(
                "STOP",
                List.of(new Dialog.Line(
                        "Stops after the batch or statement in flight. The run is resumable: the same command"
                                + " continues it.",
                        Role.NORMAL)),
                actor,
                reason -> send(new Command.Stop(actor, reason)));
    }

    /** Opens a command's dialog, unless nothing may change from here. */
    private void command(Instant now, Supplier<Dialog> dialog) {
        RunView run = source.run();
        if (handle == null || readOnly) {
            ui.flash(
                    handle == null
                            ? "watch changes nothing: run the runbook to command it"
                            : "read-only: this console observes the run and changes nothing",
                    true,
                    now);
            return;
        }
        if (run == null || run.ended()) {
            ui.flash("the run is over: nothing to command (q quits)", true, now);
            return;
        }
        ui.dialog = dialog.get();
    }

    private void enter(Instant now) {
        RunView run = source.run();
        if (run == null) {
            return;
        }
        if (run.question() != null && operator != null && !readOnly) {
            ui.hiddenQuestion = null;
            ui.dialog = new QuestionDialog(this, run.question());
            return;
        }
        List<CriterionStatus> pausing = run.criteria().stream()
                .filter(status -> status.state().inForce() && status.criterion().action() == StopAction.PAUSE)
                .toList();
        if (run.state() == RunState.PAUSED
                && run.stateCause() == EngineEvent.StateChanged.Cause.CRITERIA
                && !pausing.isEmpty()) {
            command(now, () -> new PauseDialog(pausing, this::stopDialog, () -> new AbortDialog(this)));
        }
    }

    private void quit() {
        RunView run = source.run();
        if (handle == null || readOnly || run == null || run.ended()) {
            ui.exit = true;
            return;
        }
        ui.dialog = new ReasonDialog(
                "QUIT",
                List.of(new Dialog.Line(
                        "The run is still going: quitting stops it at a safe point (resumable), then leaves the"
                                + " console. Esc keeps watching.",
                        Role.NORMAL)),
                actor,
                this::quit);
    }

    private void move(int by) {
        if (ui.pane == ConsoleState.Pane.LOCKS) {
            List<LocksPane.Session> sessions = LocksPane.sessions(
                    source.run() != null && source.run().snapshot() != null
                            ? source.run().snapshot()
                            : source.snapshot());
            if (sessions.isEmpty()) {
                return;
            }
            int index = 0;
            for (int i = 0; i < sessions.size(); i++) {
                if (sessions.get(i).pid() == ui.selectedPid) {
                    index = i;
                }
            }
            index = Math.max(0, Math.min(sessions.size() - 1, index + by));
            ui.selectedPid = sessions.get(index).pid();
        } else if (ui.pane == ConsoleState.Pane.EVENTS) {
            ui.eventsScroll = Math.max(0, ui.eventsScroll - by);
        }
    }

    private void filter(KeyStroke key) {
        switch (key.getKeyType()) {
            case Enter -> ui.editingFilter = false;
            case Escape -> {
                ui.editingFilter = false;
                ui.filter = "";
            }
            case Backspace -> {
                if (!ui.filter.isEmpty()) {
                    ui.filter = ui.filter.substring(0, ui.filter.length() - 1);
                }
            }
            case Character -> {
                if (!key.isCtrlDown() && ui.filter.length() < 60) {
                    ui.filter = ui.filter + key.getCharacter();
                }
            }
            default -> {}
        }
        ui.eventsScroll = 0;
    }

    private Frame frame(Instant now) {
        RunView run = source.run();
        Snapshot snapshot = run != null && run.snapshot() != null ? run.snapshot() : source.snapshot();
        return new Frame(run, snapshot, lag, ui, now, clock.getZone(), readOnly);
    }

    private static boolean isCtrl(KeyStroke key, char c) {
        return key.getKeyType() == KeyType.Character && key.isCtrlDown() && key.getCharacter() == c;
    }

    // ConsoleActions: what a confirmed dialog does

    @Override
    public String actor() {
        return actor;
    }

    @Override
    public String runbookId() {
        RunView run = source.run();
        return run == null ? "" : run.runbookId();
    }

    @Override
    public void send(Command command) {
        Instant now = clock.instant();
        Command.Outcome outcome = handle.send(command);
        if (!outcome.accepted()) {
            ui.flash("refused: " + outcome.refusal(), true, now);
        } else if (outcome.result() != null) {
            ui.flash(command.name().replace('_', ' ') + " (recorded): " + outcome.result(), false, now);
        } else {
            ui.flash(command.name() + " recorded with your reason; " + effect(command), false, now);
        }
    }

    private static String effect(Command command) {
        if (command instanceof Command.Pause) {
            // the footer is 80 columns: the whole message must fit there
            return "the run pauses after what is in flight";
        }
        if (command instanceof Command.Resume) {
            return "the run goes on";
        }
        if (command instanceof Command.Retune) {
            return "the next batch runs at the new pace";
        }
        if (command instanceof Command.Abort) {
            return "the statement in flight is cancelled";
        }
        return "the run stops at its next safe point";
    }

    @Override
    public void answer(Question question, Operator.Answer answer) {
        Instant now = clock.instant();
        if (operator != null && operator.answer(question, answer)) {
            ui.flash("answered " + answer.choice() + "; recorded with your reason", false, now);
        } else {
            ui.flash("that question is no longer pending: nothing was answered", true, now);
        }
    }

    @Override
    public void signalBackend(LocksPane.Session target, boolean terminate, String reason) {
        send(new Command.SignalBackend(
                actor,
                reason,
                target.pid(),
                terminate,
                target.who() + ": " + dev.lockstep.tui.Units.clean(target.query())));
    }

    @Override
    public void quit(String reason) {
        Command.Outcome outcome = handle.send(new Command.Stop(actor, "quit from the console: " + reason));
        RunView run = source.run();
        if (outcome.accepted() || run == null || run.ended() || run.stopping() != null) {
            ui.quitting = true;
            ui.flash("stopping at a safe point; the console closes when the run has stopped", false, clock.instant());
        } else {
            ui.flash("refused: " + outcome.refusal(), true, clock.instant());
        }
    }

    @Override
    public void hide(Question question) {
        ui.hiddenQuestion = question.id();
        ui.flash("the question stays pending (ASK in the header); Enter opens it again", false, clock.instant());
    }
}
