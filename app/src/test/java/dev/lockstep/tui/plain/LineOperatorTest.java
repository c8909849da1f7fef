package dev.lockstep.tui.plain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Question;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jline.builtins.ScreenTerminal;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's side of line mode on a virtual 80x24 terminal: jline reads the keys the test types, and a
 * terminal emulator shows what the operator would see.
 */
class LineOperatorTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T02:14:05Z"), ZoneOffset.UTC);

    private final ScreenTerminal screen = new ScreenTerminal(80, 24);
    private final List<String> stops = new CopyOnWriteArrayList<>();
    private PipedOutputStream keyboard;
    private Terminal terminal;
    private PlainConsole console;
    private LineOperator operator;

    @BeforeEach
    void terminal() throws IOException {
        keyboard = new PipedOutputStream();
        PipedInputStream keys = new PipedInputStream(keyboard);
        OutputStream display = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                screen.write(new String(bytes, offset, length, StandardCharsets.UTF_8));
            }
        };
        // jline's own line discipline, as on a real terminal: Ctrl-C raises INT, Ctrl-D is end of input
        terminal = new ExternalTerminal("test", "xterm", keys, display, StandardCharsets.UTF_8);
        terminal.setSize(new Size(80, 24));
        console = PlainConsole.onTerminal(terminal, terminal.writer());
        operator = new LineOperator(console, CLOCK, "alice", stops::add);
    }

    @AfterEach
    void close() throws IOException {
        console.close();
        keyboard.close();
    }

    @Test
    void anApprovalNeedsYesAndAReasonAndAnEmptyReasonIsAskedAgain() throws Exception {
        CompletableFuture<Optional<Operator.Answer>> answer = CompletableFuture.supplyAsync(
                () -> operator.approve("confirm-app-version", "Is app 2026.06.28 on every node?", null));

        awaitScreen(shown ->
                shown.contains("02:14:05 ASK     approve confirm-app-version: Is app 2026.06.28 on every node?")
                        && shown.contains("yes to approve, no to refuse")
                        && lastLine(shown).equals("yes/no>"));
        type("maybe\r");
        awaitScreen(shown ->
                shown.contains("ASK     answer yes or no") && lastLine(shown).equals("yes/no>"));
        type("yes\r");
        awaitScreen(shown -> lastLine(shown).equals("reason>"));
        type("   \r");
        awaitScreen(shown -> shown.contains("ASK     a reason is required: it is recorded with your name (alice)")
                && lastLine(shown).equals("reason>"));
        type("checked the deploy dashboard\r");

        assertThat(answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .contains(new Operator.Answer("approve", "alice", "checked the deploy dashboard"));
        assertThat(stops).isEmpty();
    }

    @Test
    void aFailureListsEveryOptionNumberedAndTakesOnlyAnAvailableOne() throws Exception {
        Question question = new Question(
                "q1",
                Question.Kind.FAILURE,
                "add-flag",
                "step add-flag failed: lock-timeout. the step could not take its lock in time",
                List.of(
                        new Question.Choice(
                                "retry", "runs step add-flag again", false, "blocker pid 4242 holds the lock"),
                        new Question.Choice("abandon", "closes the run as abandoned", true, "always possible"),
                        new Question.Choice("abort", "stops now", true, "always possible")),
                null);
        CompletableFuture<Optional<Operator.Answer>> answer =
                CompletableFuture.supplyAsync(() -> operator.ask(question));

        awaitScreen(shown -> shown.contains("1 retry (not available): blocker pid 4242 holds the lock")
                && shown.contains("2 abandon: closes the run as abandoned (always possible)")
                && lastLine(shown).equals("option>"));
        type("1\r");
        awaitScreen(shown -> shown.contains("answer one of abandon, abort (or its number)"));
        type("retry\r");
        awaitScreen(shown -> shown.contains("retry is not available: blocker pid 4242 holds the lock"));
        type("2\r");
        awaitScreen(shown -> lastLine(shown).equals("reason>"));
        type("the change is cancelled\r");

        assertThat(answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .contains(new Operator.Answer("abandon", "alice", "the change is cancelled"));
    }

    @Test
    void aTypedConfirmationWantsTheRunbookIdAndNoRefuses() throws Exception {
        CompletableFuture<Optional<Operator.Answer>> answer = CompletableFuture.supplyAsync(
                () -> operator.approve("drop-old-column", "Backup restore-tested?", "CHG-1"));

        awaitScreen(shown -> shown.contains("type the runbook id CHG-1 to approve, no to refuse")
                && lastLine(shown).equals("runbook id or no>"));
        type("yes\r");
        awaitScreen(shown -> shown.contains("ASK     answer CHG-1 or no"));
        type("no\r");

        assertThat(answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEmpty();
        assertThat(stops).as("a refusal is an answer, not a stop request").isEmpty();
    }

    @Test
    void linesPrintedWhileTheOperatorTypesAppearAboveTheQuestion() throws Exception {
        CompletableFuture<Optional<Operator.Answer>> answer = CompletableFuture.supplyAsync(() ->
                operator.decide("fill", "stop criterion hold cleared; resume the run?", List.of("resume", "stop")));
        awaitScreen(shown -> lastLine(shown).equals("resume/stop>"));
        type("resu");
        awaitScreen(shown -> lastLine(shown).equals("resume/stop> resu"));

        // when: the run prints while the answer is half typed
        String status = "02:14:10 fill    48.2%  482,000/1.0M rows  4,812 rows/s  ETA 1m47s  batch 2,000";
        String signals = "02:14:10 signals lag 12s 1.0 MB  no lock waits";
        console.print(List.of(status, signals));

        // then: the lines are above the question, and the half-typed answer is still there to finish
        awaitScreen(shown -> shown.contains(status + "\n" + signals + "\nresume/stop> resu"));
        type("me\r");
        awaitScreen(shown -> lastLine(shown).equals("reason>"));
        type("lag back to 0s, checked with lockstep watch\r");

        assertThat(answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .contains(new Operator.Answer("resume", "alice", "lag back to 0s, checked with lockstep watch"));
        assertThat(shown()).doesNotContain("resu" + status);
    }

    @Test
    void tabCompletesAChoice() throws Exception {
        CompletableFuture<Optional<Operator.Answer>> answer = CompletableFuture.supplyAsync(() -> operator.decide(
                "add-index",
                "step add-index started without a recorded end. Did it apply?",
                List.of("applied", "retry", "abort")));
        awaitScreen(shown -> shown.contains("answer applied, retry or abort (Tab completes)")
                && lastLine(shown).equals("applied/retry/abort>"));
        type("re\t");
        awaitScreen(shown -> lastLine(shown).equals("applied/retry/abort> retry"));
        type("\r");
        awaitScreen(shown -> lastLine(shown).equals("reason>"));
        type("the index is not there: \\d enforcement_case\r");

        assertThat(answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .contains(new Operator.Answer("retry", "alice", "the index is not there: \\d enforcement_case"));
    }

    @Test
    void ctrlDLeavesTheQuestionUnansweredAndAsksTheRunToStop() throws Exception {
        CompletableFuture<Optional<Operator.Answer>> answer =
                CompletableFuture.supplyAsync(() -> operator.approve("confirm-app-version", "Deployed?", null));
        awaitScreen(shown -> lastLine(shown).equals("yes/no>"));

        type("\u0004");

        assertThat(answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEmpty();
        assertThat(stops)
                .containsExactly("no answer to the approval of step confirm-app-version (Ctrl-D at the prompt)");
    }

    @Test
    void ctrlDAtTheReasonLeavesTheAnswerUnrecorded() throws Exception {
        CompletableFuture<Optional<Operator.Answer>> answer = CompletableFuture.supplyAsync(
                () -> operator.decide("fill", "resume the run?", List.of("resume", "stop")));
        awaitScreen(shown -> lastLine(shown).equals("resume/stop>"));
        type("stop\r");
        awaitScreen(shown -> lastLine(shown).equals("reason>"));

        type("\u0004");

        assertThat(answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEmpty();
        assertThat(stops).containsExactly("no answer to the question at step fill (Ctrl-D at the prompt)");
    }

    @Test
    void ctrlCAtAQuestionAsksTheRunToStopAtThisSafePoint() throws Exception {
        CompletableFuture<Optional<Operator.Answer>> answer = CompletableFuture.supplyAsync(
                () -> operator.decide("fill", "resume the run?", List.of("resume", "stop")));
        awaitScreen(shown -> lastLine(shown).equals("resume/stop>"));
        type("res");
        awaitScreen(shown -> lastLine(shown).equals("resume/stop> res"));

        type("\u0003");

        assertThat(answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEmpty();
        assertThat(stops)
                .containsExactly("Ctrl-C at the prompt for the question at step fill: stopped at a safe point");
    }

    @Test
    void theRunsSignalHandlerEndsAnOpenQuestion() throws Exception {
        CompletableFuture<Optional<Operator.Answer>> answer =
                CompletableFuture.supplyAsync(() -> operator.approve("confirm-app-version", "Deployed?", null));
        awaitScreen(shown -> lastLine(shown).equals("yes/no>"));

        // what the run's SIGINT handler does after asking the run to stop
        console.interruptQuestion();

        assertThat(answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEmpty();
        assertThat(stops).hasSize(1);
    }

    @Test
    void withoutATerminalNobodyIsAskedAndNothingIsWrapped() {
        java.io.StringWriter written = new java.io.StringWriter();
        PlainConsole logFile = PlainConsole.withoutTerminal(new java.io.PrintWriter(written));

        logFile.print(List.of("x".repeat(200)));

        assertThat(logFile.canAsk()).isFalse();
        assertThat(logFile.width()).isZero();
        assertThat(written.toString()).isEqualTo("x".repeat(200) + System.lineSeparator());
    }

    private void type(String keys) throws IOException {
        keyboard.write(keys.getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    /** The last line of the screen that is not blank, without trailing blanks. */
    private static String lastLine(String shown) {
        List<String> lines = shown.lines()
                .map(String::stripTrailing)
                .filter(line -> !line.isEmpty())
                .toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /** Waits until the screen shows what is wanted; the timeout is a bound for a stuck test, not a measurement. */
    private void awaitScreen(Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            String shown = shown();
            if (wanted.test(shown)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("the screen never showed what was expected; it shows:%n%s", shown);
            }
            Thread.sleep(20);
        }
    }

    /** The screen's text, one line per row, trailing blanks removed. */
    private String shown() {
        return String.join(
                "\n",
                screen.toString()
                        .replace('\u0000', ' ')
                        .lines()
                        .map(String::stripTrailing)
                        .toList());
    }
}
