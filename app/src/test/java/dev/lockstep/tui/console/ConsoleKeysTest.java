package dev.lockstep.tui.console;

import static dev.lockstep.tui.console.ConsoleHarness.ACTOR;
import static dev.lockstep.tui.console.ConsoleHarness.SMALL;
import static dev.lockstep.tui.console.Scenes.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import dev.lockstep.engine.Command;
import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.EngineEvent.StateChanged.Cause;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.RunState;
import dev.lockstep.probe.Locks;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keys typed into the virtual terminal's input queue, read by the console's own loop, and what reaches the run:
 * the command sent to its handle, the answer given to the engine's question, or nothing (and why, in the
 * footer). The dialogs' habits: the key that opened one never confirms it, Enter only submits the field it is
 * in, Esc only cancels or hides.
 */
@Timeout(30)
class ConsoleKeysTest {

    private static final int FOOTER = SMALL.getRows() - 1;

    private static ConsoleHarness backfilling() throws Exception {
        return ConsoleHarness.run(SMALL, at(67), Scenes.fold())
                .events(Scenes.opening())
                .events(Scenes.backfilling())
                .tick();
    }

    private static ConsoleHarness pausedByLockQueue() throws Exception {
        return backfilling()
                .after(Duration.ofSeconds(13))
                .events(Scenes.pausedByLockQueue())
                .tick();
    }

    private static KeyStroke ctrl(char c) {
        return new KeyStroke(c, true, false);
    }

    @Test
    void oneTwoThreeFourSwitchPanesAndAnyKeyClosesTheHelp() throws Exception {
        try (ConsoleHarness console = pausedByLockQueue()) {
            assertThat(console.row(3)).startsWith("── STEPS 3/5");
            assertThat(console.key("2").row(3)).startsWith("── LOCKS 2 waiting, longest 13s");
            assertThat(console.key("3").row(3)).startsWith("── STANDBYS (sampled 03:01:20)");
            assertThat(console.key("4").row(3)).startsWith("── EVENTS 12 ");
            assertThat(console.key("1").row(3)).startsWith("── STEPS 3/5");
            assertThat(console.key("?").row(3)).startsWith("── KEYS (any key closes this)");
            // the key that closes the help does nothing else: 's' would open the stop dialog
            assertThat(console.key("s").row(3)).startsWith("── STEPS 3/5");
            assertThat(console.text()).doesNotContain("STOP ─");
            assertThat(console.handle.commands).isEmpty();
        }
    }

    @Test
    void pauseAsksAReasonAndTheKeyThatOpenedItDoesNotConfirmIt() throws Exception {
        try (ConsoleHarness console = backfilling()) {
            console.key("p");
            assertThat(console.text()).contains("─ PAUSE ─").contains("reason: _");
            // pressing p twice does not pause: the second p is typed into the reason
            console.key("p");
            assertThat(console.text()).contains("reason: p_");
            console.key(KeyType.Backspace).key(KeyType.Enter);
            assertThat(console.text()).contains("a reason is required: it is recorded with your name");
            assertThat(console.handle.commands).isEmpty();

            console.type("app team asked for a pause").key(KeyType.Enter);

            assertThat(console.handle.commands).containsExactly(new Command.Pause(ACTOR, "app team asked for a pause"));
            assertThat(console.text()).doesNotContain("─ PAUSE ─");
            assertThat(console.row(FOOTER))
                    .isEqualTo("pause recorded with your reason; the run pauses after what is in flight");
        }
    }

    @Test
    void rResumesTheOperatorsOwnPause() throws Exception {
        try (ConsoleHarness console = backfilling()) {
            console.events(new EngineEvent.StateChanged(
                            at(70), RunState.RUNNING, RunState.PAUSED, "app team asked", Cause.OPERATOR, ACTOR))
                    .tick();
            assertThat(console.row(0)).endsWith("[ PAUSED ]");
            assertThat(console.row(2))
                    .isEqualTo("PAUSED by oncall@bastion: app team asked. r resumes, s stops (resumable)");
            assertThat(console.row(FOOTER)).startsWith("r resume s stop A abort");

            console.key("r");
            assertThat(console.text()).contains("─ RESUME ─").contains("Lifts your pause");
            console.type("app team is done").key(KeyType.Enter);

            assertThat(console.handle.commands).containsExactly(new Command.Resume(ACTOR, "app team is done"));
        }
    }

    @Test
    void sStopsAtASafePointAndEscCancelsWithoutACommand() throws Exception {
        try (ConsoleHarness console = backfilling()) {
            console.key("s").type("not now").key(KeyType.Escape);
            assertThat(console.text()).doesNotContain("─ STOP ─");
            assertThat(console.handle.commands).isEmpty();

            console.key("s");
            assertThat(console.text()).contains("─ STOP ─").contains("reason: _");
            console.type("window closing early").key(KeyType.Enter);

            assertThat(console.handle.commands).containsExactly(new Command.Stop(ACTOR, "window closing early"));
            assertThat(console.row(FOOTER))
                    .isEqualTo("stop recorded with your reason; the run stops at its next safe point");
        }
    }

    @Test
    void abortNeedsTheRunbookIdTypedThenAReason() throws Exception {
        try (ConsoleHarness console = backfilling()) {
            console.key("A");
            assertThat(console.text())
                    .contains("─ ABORT " + Scenes.RUNBOOK + " ─")
                    .contains("type the runbook id to confirm: _");
            // a second A is typed into the id, it does not abort
            console.key("A").key(KeyType.Enter);
            assertThat(console.text()).contains("reason: _");
            console.type("app errors climbing").key(KeyType.Enter);
            assertThat(console.text()).contains("the runbook id does not match: nothing was aborted");
            assertThat(console.handle.commands).isEmpty();

            console.press(ctrl('u')).type(Scenes.RUNBOOK).press(new KeyStroke(KeyType.Tab));
            console.key(KeyType.Enter);

            assertThat(console.handle.commands).containsExactly(new Command.Abort(ACTOR, "app errors climbing"));
            assertThat(console.row(FOOTER))
                    .isEqualTo("abort recorded with your reason; the statement in flight is cancelled");
        }
    }

    @Test
    void tRetunesTheRunningBackfillAndIsRefusedWithoutOne() throws Exception {
        try (ConsoleHarness console = ConsoleHarness.run(SMALL, at(50), Scenes.fold())) {
            console.events(Scenes.beforeTheAlter()).tick().key("t");
            assertThat(console.row(FOOTER)).isEqualTo("retune changes a backfill's pace: no backfill is running");
            assertThat(console.text()).doesNotContain("RETUNE");
        }
        try (ConsoleHarness console = backfilling()) {
            console.key("t");
            assertThat(console.text())
                    .contains("─ RETUNE backfill-priority ─")
                    .contains("batch target (e.g. 500ms, 2s; empty: fixed size): 200ms_");
            console.press(ctrl('u')).type("500ms").key(KeyType.Enter);
            console.press(ctrl('u')).type("100ms").key(KeyType.Enter);
            console.type("replica keeps up, go faster").key(KeyType.Enter);

            assertThat(console.handle.commands)
                    .containsExactly(new Command.Retune(
                            ACTOR, "replica keeps up, go faster", Duration.ofMillis(500), Duration.ofMillis(100)));
        }
    }

    @Test
    void aRefusedCommandSaysWhyInTheFooter() throws Exception {
        try (ConsoleHarness console = backfilling()) {
            console.handle.outcome = command -> Command.Outcome.refused("nothing is paused: the run is running");
            console.key("r").type("go on").key(KeyType.Enter);

            assertThat(console.handle.commands).containsExactly(new Command.Resume(ACTOR, "go on"));
            assertThat(console.row(FOOTER)).isEqualTo("refused: nothing is paused: the run is running");
        }
    }

    @Test
    void qWhileTheRunGoesOnStopsItFirstAndLeavesOnceItStopped() throws Exception {
        try (ConsoleHarness console = backfilling()) {
            console.key("q");
            assertThat(console.text()).contains("─ QUIT ─").contains("quitting stops it at a safe point");
            console.type("handing over to day shift").key(KeyType.Enter);

            assertThat(console.handle.commands)
                    .containsExactly(new Command.Stop(ACTOR, "quit from the console: handing over to day shift"));
            assertThat(console.turn())
                    .as("the console stays until the run has stopped")
                    .isTrue();
            console.events(new EngineEvent.RunClosed(
                    at(80), Scenes.RUN_ID, RunState.STOPPED, 4, "stopped by the operator: handing over"));
            assertThat(console.turn()).isFalse();
        }
    }

    @Test
    void qAfterTheRunEndedLeavesAtOnce() throws Exception {
        try (ConsoleHarness console = backfilling()) {
            console.events(new EngineEvent.RunClosed(at(90), Scenes.RUN_ID, RunState.DONE, 0, "done"))
                    .tick();
            assertThat(console.row(0)).endsWith("[ DONE ]");
            assertThat(console.row(2)).startsWith("DONE: every step completed (exit 0).");
            console.key("p");
            assertThat(console.row(FOOTER)).isEqualTo("the run is over: nothing to command (q quits)");

            console.type("q");

            assertThat(console.turn()).isFalse();
            assertThat(console.handle.commands).isEmpty();
        }
    }

    @Test
    void ctrlCStopsAtASafePointAndAClosedTerminalStopsAndLeaves() throws Exception {
        try (ConsoleHarness console = backfilling()) {
            console.press(ctrl('c')).tick();
            assertThat(console.handle.interrupts).containsExactly("Ctrl-C in the console: stopped at a safe point");
            assertThat(console.row(FOOTER)).isEqualTo("Ctrl-C: the run stops at its next safe point, resumable");

            console.press(new KeyStroke(KeyType.EOF));

            assertThat(console.turn()).isFalse();
            assertThat(console.handle.interrupts).last().isEqualTo("the terminal closed: stopped at a safe point");
            assertThat(console.handle.commands).isEmpty();
        }
    }

    @Test
    void kInTheLocksPaneTerminatesTheSessionSelectedWhenTheDialogOpened() throws Exception {
        try (ConsoleHarness console = pausedByLockQueue()) {
            console.key("K");
            assertThat(console.row(FOOTER))
                    .isEqualTo("cancel (c) and terminate (K) act on a session selected in the locks pane (2)");

            console.key("2").key(KeyType.ArrowDown).key(KeyType.ArrowUp);
            assertThat(console.row(4)).startsWith(">ROOT 4242 idle in transaction 3m40s holds ShareLock on case_file");
            console.key("K");
            assertThat(console.text())
                    .contains("─ TERMINATE pid 4242 ─")
                    .contains("pid 4242 (alice, billing, idle in transaction)")
                    .contains("query: lock table case_file in share mode");
            // a new sample in which the holder is gone does not change the target
            console.events(new EngineEvent.Observed(
                            at(81),
                            Scenes.snapshot(at(81), new Locks(List.of(), List.of()), List.of()),
                            List.of(),
                            java.util.Map.of()))
                    .tick();
            assertThat(console.text()).contains("pid 4242 has left the lock view since this opened");
            console.type("idle in transaction for 3m, blocks the backfill").key(KeyType.Enter);
            assertThat(console.text()).contains("press y to terminate pid 4242 now; Esc goes back");
            console.key("K");
            assertThat(console.handle.commands).isEmpty();

            console.key("y");

            assertThat(console.handle.commands)
                    .containsExactly(new Command.SignalBackend(
                            ACTOR,
                            "idle in transaction for 3m, blocks the backfill",
                            4242,
                            true,
                            "pid 4242 (alice, billing, idle in transaction): lock table case_file in share mode"));
        }
    }

    @Test
    void enterWhileACriterionHoldsThePauseOffersItsChoicesButNotResume() throws Exception {
        try (ConsoleHarness console = pausedByLockQueue()) {
            assertThat(console.row(FOOTER)).startsWith("Enter choices p pause s stop A abort");
            console.key(KeyType.Enter);
            assertThat(console.text())
                    .contains("─ PAUSED BY A STOP CRITERION ─")
                    .contains("lock-queue: lock wait 13s > 5s, clears at <= 1s");
            console.key("r");
            assertThat(console.text()).contains("resume is offered once the criterion has cleared");

            console.key("s");
            assertThat(console.text()).contains("─ STOP ─");
            console.type("blocker belongs to billing, stop for today").key(KeyType.Enter);

            assertThat(console.handle.commands)
                    .containsExactly(new Command.Stop(ACTOR, "blocker belongs to billing, stop for today"));
        }
    }

    @Test
    void anApprovalIsAnsweredWithItsLetterAndAReason() throws Exception {
        try (ConsoleHarness console = backfilling()) {
            CompletableFuture<Optional<Operator.Answer>> answer = console.ask(Scenes.approval());
            console.tick();
            assertThat(console.text()).contains("─ APPROVAL confirm-backup ─").contains("  a  approve");
            assertThat(console.row(1)).endsWith("ASK: approval");

            console.key("a").type("restore tested on staging, OPS-4711").key(KeyType.Enter);

            assertThat(ConsoleHarness.answered(answer))
                    .contains(new Operator.Answer("approve", ACTOR, "restore tested on staging, OPS-4711"));
            assertThat(console.row(FOOTER)).isEqualTo("answered approve; recorded with your reason");
        }
    }

    @Test
    void aTypedApprovalWantsTheRunbookIdBeforeTheReason() throws Exception {
        try (ConsoleHarness console = backfilling()) {
            CompletableFuture<Optional<Operator.Answer>> answer = console.ask(Scenes.typedApproval());
            console.tick().key("a");
            assertThat(console.text()).contains("type " + Scenes.RUNBOOK + " to confirm: _");
            console.type("CHG-2026").key(KeyType.Enter);
            assertThat(console.text()).contains("that is not " + Scenes.RUNBOOK);

            console.press(ctrl('u')).type(Scenes.RUNBOOK).key(KeyType.Enter);
            console.type("backup 4711 restored on staging").key(KeyType.Enter);

            assertThat(ConsoleHarness.answered(answer))
                    .contains(new Operator.Answer("approve", ACTOR, "backup 4711 restored on staging"));
        }
    }

    @Test
    void aQuestionDoesNotOpenUnderKeysTypedForSomethingElseAndEscHidesIt() throws Exception {
        try (ConsoleHarness console = backfilling()) {
            console.key("4");
            CompletableFuture<Optional<Operator.Answer>> answer = console.ask(Scenes.resume());
            console.after(Duration.ofSeconds(1)).tick();
            assertThat(console.text()).doesNotContain("RESUME?");
            assertThat(console.row(2))
                    .isEqualTo("QUESTION at backfill-priority: stop criterion lock-queue cleared; resume the run?"
                                    .substring(0, 65)
                            + "… Enter answers");

            console.after(Duration.ofSeconds(2)).tick();
            assertThat(console.text()).contains("─ RESUME? ─").contains("  r  resume the run");
            console.key(KeyType.Escape);
            assertThat(console.text()).doesNotContain("RESUME?");
            assertThat(console.row(2)).endsWith("Enter opens it (hidden)");
            assertThat(console.row(1)).endsWith("ASK: resume");
            assertThat(answer).isNotDone();

            console.key(KeyType.Enter).key("r").type("queue is empty").key(KeyType.Enter);

            assertThat(ConsoleHarness.answered(answer))
                    .contains(new Operator.Answer("resume", ACTOR, "queue is empty"));
        }
    }

    @Test
    void aStepInDoubtIsSettledWithALetter() throws Exception {
        try (ConsoleHarness console = ConsoleHarness.run(SMALL, at(50), Scenes.fold())) {
            console.events(Scenes.beforeTheAlter());
            CompletableFuture<Optional<Operator.Answer>> answer = console.ask(Scenes.inDoubt());
            console.tick();
            assertThat(console.text())
                    .contains("─ IN DOUBT add-column ─")
                    .contains("  a  it applied: go on with the next step")
                    .contains("  r  it did not apply: run it again")
                    .contains("  b  stop, resumable");

            console.key("r").type("column is not there (psql \\d)").key(KeyType.Enter);

            assertThat(ConsoleHarness.answered(answer))
                    .contains(new Operator.Answer("retry", ACTOR, "column is not there (psql \\d)"));
        }
    }

    @Test
    void aWindowOverrunIsAnsweredWithALetterAndAReason() throws Exception {
        try (ConsoleHarness console = ConsoleHarness.run(SMALL, at(50), Scenes.fold())) {
            console.events(Scenes.opening()).events(Scenes.backfilling());
            CompletableFuture<Optional<Operator.Answer>> answer = console.ask(Scenes.window());
            console.tick();
            assertThat(console.text())
                    .contains("─ WINDOW backfill-priority ─")
                    .contains("  c  go on past the window's end")
                    .contains("  t  go on with half-size batches")
                    .contains("  a  stop here, at a safe point; resumable");

            console.key("t").type("change manager extended to 03:00").key(KeyType.Enter);

            assertThat(ConsoleHarness.answered(answer))
                    .contains(new Operator.Answer("throttle", ACTOR, "change manager extended to 03:00"));
        }
    }

    @Test
    void anObserverChangesNothing() throws Exception {
        try (ConsoleHarness console = ConsoleHarness.observer(SMALL, at(67), Scenes.fold())) {
            console.events(Scenes.opening()).events(Scenes.backfilling()).tick();
            assertThat(console.row(1)).endsWith("READ-ONLY");
            console.key("p");
            assertThat(console.row(FOOTER)).isEqualTo("read-only: this console observes the run and changes nothing");
            console.key("A");
            assertThat(console.text()).doesNotContain("ABORT");
            assertThat(console.handle.commands).isEmpty();
        }
    }

    @Test
    void slashFiltersTheEvents() throws Exception {
        try (ConsoleHarness console = pausedByLockQueue()) {
            console.key("/");
            assertThat(console.row(3)).startsWith("── EVENTS 12 (typing the filter)");
            assertThat(console.row(FOOTER)).startsWith("Enter apply Esc clear filter");
            console.type("breach").key(KeyType.Enter);
            assertThat(console.row(3)).startsWith("── EVENTS 1 matching \"breach\" ──");
            assertThat(console.row(4)).isEqualTo("03:01:12 BREACH  lock-queue: lock_wait_seconds 5.5 > 5 -> pause");

            console.key("/").key(KeyType.Escape);

            assertThat(console.row(3)).startsWith("── EVENTS 12 ──");
        }
    }
}
