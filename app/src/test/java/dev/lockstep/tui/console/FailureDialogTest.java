package dev.lockstep.tui.console;

import static dev.lockstep.tui.console.ConsoleHarness.ACTOR;
import static dev.lockstep.tui.console.ConsoleHarness.LARGE;
import static dev.lockstep.tui.console.ConsoleHarness.SMALL;
import static dev.lockstep.tui.console.Scenes.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.input.KeyType;
import dev.lockstep.engine.Operator;
import dev.lockstep.recovery.Diagnosis;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dialog of a failed step at 80x24: the headline, the first facts, every option on one line saying whether
 * it is available and why not, and only available options can be chosen. From real diagnoses: a lock timeout
 * whose blocker still holds the lock (retry not available), and a CREATE UNIQUE INDEX CONCURRENTLY that left
 * an INVALID index (repair available).
 */
@Timeout(30)
class FailureDialogTest {

    private static ConsoleHarness failedAt(
            com.googlecode.lanterna.TerminalSize size, Diagnosis diagnosis, String questionId) throws Exception {
        ConsoleHarness console = ConsoleHarness.run(size, at(62), Scenes.fold());
        console.events(Scenes.beforeTheAlter()).events(Scenes.failed(diagnosis, at(60)));
        return console;
    }

    @Test
    void aLockTimeoutNamesTheBlockerAndDoesNotOfferRetry() throws Exception {
        try (ConsoleHarness console = failedAt(SMALL, Scenes.lockTimeout(), "q7")) {
            CompletableFuture<Optional<Operator.Answer>> answer =
                    console.ask(Scenes.failure("q7", Scenes.lockTimeout()));
            console.tick();

            assertThat(console.text()).isEqualTo(LOCK_TIMEOUT_80X24);

            // retry is shown, but cannot be chosen: the dialog says why, and nothing is answered
            console.key("r");
            assertThat(console.text()).contains("retry is not possible now: the blocker still holds the lock");
            assertThat(answer).isNotDone();
            // abandon is available: its reason, then Enter
            console.key("a");
            assertThat(console.text())
                    .contains("> a  abandon: closes the run as abandoned")
                    .contains("reason: _");
            console.key(KeyType.Enter);
            assertThat(console.text()).contains("a reason is required: it is recorded with your name");
            assertFitsBetweenBannerAndFooter(console);

            console.type("billing owns the blocker; new run tomorrow").key(KeyType.Enter);

            assertThat(ConsoleHarness.answered(answer))
                    .contains(new Operator.Answer("abandon", ACTOR, "billing owns the blocker; new run tomorrow"));
        }
    }

    @Test
    void aPartialDdlOffersTheRepairOfWhatItLeftBehind() throws Exception {
        try (ConsoleHarness console = failedAt(SMALL, Scenes.partialDdl(), "q8")) {
            CompletableFuture<Optional<Operator.Answer>> answer =
                    console.ask(Scenes.failure("q8", Scenes.partialDdl()));
            console.tick();

            assertThat(console.text()).isEqualTo(PARTIAL_DDL_80X24);

            console.key("r");
            assertThat(console.text()).contains("retry is not possible now: it left INVALID index case_file_ref_key");
            console.key("e");
            assertThat(console.text())
                    .contains("> e  repair: runs DROP INDEX CONCURRENTLY IF EXISTS case_file_ref_key");
            assertFitsBetweenBannerAndFooter(console);
            console.type("duplicates C-1042 merged by the case team").key(KeyType.Enter);

            assertThat(ConsoleHarness.answered(answer))
                    .contains(new Operator.Answer("repair", ACTOR, "duplicates C-1042 merged by the case team"));
        }
    }

    @Test
    void everyOptionStaysOnTheScreenWhenTheReasonAndAProblemTakeRows() throws Exception {
        try (ConsoleHarness console = failedAt(SMALL, Scenes.partialDdl(), "q9")) {
            console.ask(Scenes.failure("q9", Scenes.partialDdl()));
            console.tick().key("l").key(KeyType.Enter);

            List<String> lines = console.lines();
            assertThat(String.join("\n", lines))
                    .contains("a reason is required")
                    .contains("reason: _")
                    .contains("   -  retry not available")
                    .contains("> l  rollback: runs recovery step drop-ref-key")
                    .contains("  c  recheck: inspects the database again");
            assertFitsBetweenBannerAndFooter(console);
        }
    }

    @Test
    void onALargeTerminalTheDialogShowsTheSameChoices() throws Exception {
        try (ConsoleHarness console = failedAt(LARGE, Scenes.lockTimeout(), "q10")) {
            console.ask(Scenes.failure("q10", Scenes.lockTimeout()));
            console.tick();
            String screen = console.text();
            assertThat(screen)
                    .contains("─ FAILED add-column ─")
                    .contains("step add-column failed: lock-timeout. the step could not take its lock")
                    .contains("add-column: lock-timeout (SQLSTATE 55P03): canceling statement due to")
                    .contains("blocker: pid 4242 (alice, application 'billing', from 10.0.0.7), idle")
                    .contains("   -  retry not available: the blocker still holds the lock")
                    .contains("  a  abandon: closes the run as abandoned; a new run of the runbook")
                    .contains("  b  abort: stops now")
                    .contains("  c  recheck: inspects the database again");
            assertThat(console.row(2))
                    .startsWith("FAILED at add-column: lock-timeout.")
                    .endsWith("Enter opens the options");
            assertThat(console.row(42)).startsWith("Enter answer ");
        }
    }

    @Test
    void theFactsTheDialogHasNoRoomForAreInTheEventsPane() throws Exception {
        try (ConsoleHarness console = failedAt(SMALL, Scenes.lockTimeout(), "q11")) {
            console.ask(Scenes.failure("q11", Scenes.lockTimeout()));
            console.tick();
            assertThat(console.text()).contains("(3 more in the events pane and the timeline)");

            console.key(KeyType.Escape).key("4");
            List<String> newest = console.lines();
            console.key(KeyType.Home);
            List<String> oldest = console.lines();
            assertThat(oldest.get(3)).startsWith("── EVENTS 10, scrolled up 25 ──");
            console.key(KeyType.PageDown);
            List<String> between = console.lines();

            String pane =
                    String.join("\n", newest) + "\n" + String.join("\n", oldest) + "\n" + String.join("\n", between);
            String detail = " ".repeat(19);
            assertThat(pane)
                    .contains("03:01:00 FAILED  add-column: lock-timeout (SQLSTATE 55P03): canceling statement")
                    .contains(detail + "the step could not take its lock in time: another session")
                    .contains(detail + "blocker: pid 4242 (alice, application 'billing', from")
                    .contains(detail + "lock wanted: AccessExclusiveLock on case_file")
                    .contains(detail + "blocker query: select * from case_file where id = 42")
                    .contains(detail + "lock timeout: 2s")
                    .contains(detail + "statement: ALTER TABLE case_file ADD COLUMN priority int")
                    .contains(detail + "retry (not available): the blocker still holds the lock")
                    .contains(detail + "abandon (available): closes the run as abandoned");
        }
    }

    /** The box's last border is above the footer, which still shows the keys. */
    private static void assertFitsBetweenBannerAndFooter(ConsoleHarness console) {
        List<String> lines = console.lines();
        int bottom = -1;
        for (int row = 0; row < lines.size(); row++) {
            if (lines.get(row).trim().matches("└─+┘.*") || lines.get(row).matches("^.{0,3}└─{10,}┘.*")) {
                bottom = row;
            }
        }
        assertThat(bottom).as(console.text()).isBetween(4, lines.size() - 2);
        assertThat(lines.get(lines.size() - 1)).as(console.text()).startsWith("Enter answer ");
    }

    private static final String LOCK_TIMEOUT_80X24 = String.join(
                    "\n",
                    List.of(
                            "LOCKSTEP CHG-2026-1120-case-priority  on cases on pg1:5432            [ FAILED ]",
                            "run 20261121T030000Z-1b6eb  up 1m02s  window 58m left               ASK: failure",
                            "FAILED at add-column: lock-timeout. the step could not … Enter opens the options",
                            "──┌─ FAILED add-column ──────────────────────────────────────────────────────┐──",
                            "ok│ step add-column failed: lock-timeout. the step could not take its lock   │",
                            "ok│ in time: another session holds it                                        │",
                            "FA│ add-column: lock-timeout (SQLSTATE 55P03): canceling statement due to... │",
                            "  │ blocker: pid 4242 (alice, application 'billing', from 10.0.0.7), idle in │",
                            "  │ transaction for 3m12s, transaction open 3m40s, holds AccessShareLock...  │",
                            "──│ applied: nothing of it stayed: what it ran rolled back, and nothing b... │──",
                            " t│ lock wanted: AccessExclusiveLock on case_file                            │",
                            "  │ (3 more in the events pane and the timeline)                             │",
                            "  │   a  abandon: closes the run as abandoned; a new run of the runbook c... │",
                            "──│   b  abort: stops now; the run stays failed and asks again when the s... │──",
                            " t│   c  recheck: inspects the database again (has the blocker gone?) and... │",
                            "  │    -  retry not available: the blocker still holds the lock (pid 4242... │",
                            "──│    -  repair not available: the blocker still holds the lock (pid 424... │──",
                            "03│    -  roll-forward not available: the runbook declares no roll-forwar... │t…",
                            "03│    -  rollback not available: the runbook declares no rollback for st... │e…",
                            "03│    -  skip not available: the runbook does not mark step add-column c... │",
                            "03│                                                                          │",
                            "03│ the letter of your answer; Esc hides it (it stays pending)               │s…",
                            "03└──────────────────────────────────────────────────────────────────────────┘",
                            "Enter answer p pause s stop A abort 2 locks 3 repl 4 events ? help q quit"))
            + "\n";
    private static final String PARTIAL_DDL_80X24 = String.join(
                    "\n",
                    List.of(
                            "LOCKSTEP CHG-2026-1120-case-priority  on cases on pg1:5432            [ FAILED ]",
                            "run 20261121T030000Z-1b6eb  up 1m02s  window 58m left               ASK: failure",
                            "FAILED at add-ref-key: partial-ddl. the step stopped ha… Enter opens the options",
                            "──┌─ FAILED add-ref-key ─────────────────────────────────────────────────────┐──",
                            "ok│ step add-ref-key failed: partial-ddl. the step stopped half way and left │",
                            "  │ something behind that must be repaired first                             │",
                            "  │ add-ref-key: partial-ddl (SQLSTATE 23505): could not create unique in... │",
                            "  │ invalid index: case_file_ref_key on case_file is INVALID: it is          │",
                            "FA│ maintained on every write but never used                                 │",
                            "──│ cause: unique-violation: could not create unique index \"case_file_ref... │──",
                            " t│ applied: part of it stayed committed                                     │",
                            "  │ (3 more in the events pane and the timeline)                             │",
                            "  │   e  repair: runs DROP INDEX CONCURRENTLY IF EXISTS case_file_ref_key... │",
                            "──│   l  rollback: runs recovery step drop-ref-key; the run then ends rol... │──",
                            " t│   a  abandon: closes the run as abandoned; a new run of the runbook c... │",
                            "  │   b  abort: stops now; the run stays failed and asks again when the s... │",
                            "──│   c  recheck: inspects the database again (has the blocker gone?) and... │──",
                            "03│    -  retry not available: it left INVALID index case_file_ref_key be... │n…",
                            "03│    -  roll-forward not available: the runbook declares no roll-forwar... │u…",
                            "03│    -  skip not available: the runbook does not mark step add-ref-key ... │",
                            "03│                                                                          │",
                            "03│ the letter of your answer; Esc hides it (it stays pending)               │s…",
                            "03└──────────────────────────────────────────────────────────────────────────┘",
                            "Enter answer p pause s stop A abort 2 locks 3 repl 4 events ? help q quit"))
            + "\n";
}
