package dev.lockstep.tui.console;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lockstep.engine.Command;
import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Question;
import dev.lockstep.engine.RunHandle;
import dev.lockstep.engine.RunResult;
import dev.lockstep.engine.RunView;
import dev.lockstep.engine.ViewFold;
import dev.lockstep.probe.Snapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The console in lanterna's {@link DefaultVirtualTerminal} behind a real {@link TerminalScreen}: the run's view
 * folded from scripted engine events by the real {@code ViewFold}, commands recorded by a {@link RunHandle}
 * that keeps them, the real {@link ConsoleOperator}, and a clock the test moves. Keys go into the terminal's
 * input queue and {@link #tick()} runs one turn of the console's own loop (input is polled, never read
 * blocking: the virtual terminal's blocking read holds its lock). Nothing sleeps; each test has its own
 * terminal, so tests may run in parallel.
 */
final class ConsoleHarness implements AutoCloseable {

    static final String ACTOR = "oncall@bastion";
    static final TerminalSize SMALL = new TerminalSize(80, 24);
    static final TerminalSize LARGE = new TerminalSize(132, 43);

    /** A clock that stands still until the test moves it. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the console's tests run in UTC");
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** A run handle that keeps every command and interrupt, and answers as the test says. */
    static final class RecordingHandle implements RunHandle {
        final List<Command> commands = new ArrayList<>();
        final List<String> interrupts = new ArrayList<>();
        private final ViewFold fold;
        Function<Command, Command.Outcome> outcome = command -> Command.Outcome.ACCEPTED;

        RecordingHandle(ViewFold fold) {
            this.fold = fold;
        }

        @Override
        public RunView view() {
            return fold.current();
        }

        @Override
        public Command.Outcome send(Command command) {
            commands.add(command);
            return outcome.apply(command);
        }

        @Override
        public void interrupt(String reason) {
            interrupts.add(reason);
        }

        @Override
        public Optional<RunResult> awaitEnd(Duration timeout) {
            return Optional.empty();
        }

        @Override
        public Path timelineFile() {
            return null;
        }
    }

    final DefaultVirtualTerminal terminal;
    final TerminalScreen screen;
    final MovableClock clock;
    final ViewFold fold;
    final RecordingHandle handle;
    final ConsoleOperator operator;
    final Console console;
    private final List<Thread> askers = new ArrayList<>();

    private ConsoleHarness(TerminalSize size, Look look, Instant now, ViewFold fold, Snapshot watched, boolean readOnly)
            throws IOException {
        this.terminal = new DefaultVirtualTerminal(size);
        this.screen = new TerminalScreen(terminal);
        this.screen.startScreen();
        this.clock = new MovableClock(now);
        this.fold = fold;
        this.handle = fold == null ? null : new RecordingHandle(fold);
        this.operator = fold == null || readOnly ? null : new ConsoleOperator();
        Console.Source source = new Console.Source() {
            @Override
            public RunView run() {
                return fold == null ? null : fold.current();
            }

            @Override
            public Snapshot snapshot() {
                return fold == null ? watched : fold.current().snapshot();
            }
        };
        this.console = new Console(
                screen,
                look,
                clock,
                source,
                handle,
                operator,
                fold == null ? "" : ACTOR,
                readOnly || fold == null,
                Console.TerminalControl.NONE);
    }

    /** A run's console: the fold's events so far are on the first frame. */
    static ConsoleHarness run(TerminalSize size, Look look, Instant now, ViewFold fold) throws IOException {
        return new ConsoleHarness(size, look, now, fold, null, false);
    }

    static ConsoleHarness run(TerminalSize size, Instant now, ViewFold fold) throws IOException {
        return run(size, new Look(true, true), now, fold);
    }

    /** An observer's console ({@code --read-only}): it shows the run and changes nothing. */
    static ConsoleHarness observer(TerminalSize size, Instant now, ViewFold fold) throws IOException {
        return new ConsoleHarness(size, new Look(true, true), now, fold, null, true);
    }

    /** {@code lockstep watch}: no run, the probe's snapshot. */
    static ConsoleHarness watch(TerminalSize size, Look look, Instant now, Snapshot snapshot) throws IOException {
        return new ConsoleHarness(size, look, now, null, snapshot, true);
    }

    /** Events from the engine, folded as the run's listener folds them; the console is woken as it is. */
    ConsoleHarness events(EngineEvent... events) {
        for (EngineEvent event : events) {
            fold.on(event);
        }
        console.wake();
        return this;
    }

    /**
     * The engine asks the operator, as it does: the question announced to the screens, then asked on a thread of
     * its own that waits for the answer. Returns once the question is pending, with the answer to come.
     */
    CompletableFuture<Optional<Operator.Answer>> ask(Question question) {
        events(new EngineEvent.QuestionAsked(clock.instant(), question));
        CompletableFuture<Optional<Operator.Answer>> answer = new CompletableFuture<>();
        Thread asker = new Thread(() -> answer.complete(operator.ask(question)), "engine-asks-" + question.id());
        asker.setDaemon(true);
        askers.add(asker);
        asker.start();
        while (operator.asking() == null || !operator.asking().id().equals(question.id())) {
            Thread.onSpinWait();
        }
        return answer;
    }

    /** The answer the engine got, once it has it (a bound for a broken console, not a measurement). */
    static Optional<Operator.Answer> answered(CompletableFuture<Optional<Operator.Answer>> answer) throws Exception {
        return answer.get(10, TimeUnit.SECONDS);
    }

    /** Keys typed by the operator: into the terminal's input queue, read by the console's next turn. */
    ConsoleHarness press(KeyStroke... keys) {
        for (KeyStroke key : keys) {
            terminal.addInput(key);
        }
        return this;
    }

    /** Printable characters typed one by one. */
    ConsoleHarness type(String text) {
        for (char c : text.toCharArray()) {
            terminal.addInput(new KeyStroke(c, false, false));
        }
        return this;
    }

    /** Types and runs the console's loop once. */
    ConsoleHarness key(String text) throws IOException {
        type(text);
        return tick();
    }

    ConsoleHarness key(KeyType type) throws IOException {
        press(new KeyStroke(type));
        return tick();
    }

    /** One turn of the console's loop: the keys that came, a resize, a frame. */
    ConsoleHarness tick() throws IOException {
        console.tick();
        return this;
    }

    boolean turn() throws IOException {
        return console.tick();
    }

    /** Time passes: what the clock says on the next frame. */
    ConsoleHarness after(Duration duration) {
        clock.advance(duration);
        return this;
    }

    /** The terminal's size changes, as a SIGWINCH reports it. */
    ConsoleHarness resize(TerminalSize size) {
        terminal.setTerminalSize(size);
        return this;
    }

    /** Every row of what the terminal shows, trailing blanks cut. */
    List<String> lines() {
        TerminalSize size = terminal.getTerminalSize();
        List<String> lines = new ArrayList<>();
        for (int row = 0; row < size.getRows(); row++) {
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < size.getColumns(); column++) {
                line.append(terminal.getCharacter(column, row).getCharacterString());
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }

    /** The whole screen as one text block, a newline after every row. */
    String text() {
        return String.join("\n", lines()) + "\n";
    }

    String row(int row) {
        return lines().get(row);
    }

    /** Every cell the terminal shows. */
    List<TextCharacter> cells() {
        TerminalSize size = terminal.getTerminalSize();
        List<TextCharacter> cells = new ArrayList<>();
        for (int row = 0; row < size.getRows(); row++) {
            for (int column = 0; column < size.getColumns(); column++) {
                cells.add(terminal.getCharacter(column, row));
            }
        }
        return cells;
    }

    /** The cell at the first place {@code text} shows on the screen. */
    TextCharacter cellOf(String text) {
        List<String> lines = lines();
        for (int row = 0; row < lines.size(); row++) {
            int column = lines.get(row).indexOf(text);
            if (column >= 0) {
                return terminal.getCharacter(column, row);
            }
        }
        throw new AssertionError("not on the screen: " + text + "\n" + text());
    }

    static boolean coloured(TextCharacter cell) {
        return cell.getForegroundColor() != TextColor.ANSI.DEFAULT
                || cell.getBackgroundColor() != TextColor.ANSI.DEFAULT;
    }

    static boolean styled(TextCharacter cell, SGR sgr) {
        return cell.getModifiers().contains(sgr);
    }

    @Override
    public void close() throws IOException {
        if (operator != null) {
            operator.withdraw();
        }
        screen.stopScreen();
    }
}
