package dev.lockstep.tui.console;

import static dev.lockstep.tui.console.ConsoleHarness.LARGE;
import static dev.lockstep.tui.console.ConsoleHarness.SMALL;
import static dev.lockstep.tui.console.Scenes.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalSize;
import dev.lockstep.engine.EngineEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every pane drawn from a run told as the engine tells it, at 80x24 (the least the console needs) and at 132x43:
 * the whole screen for the run pane a lock queue paused, the rows that matter for the rest.
 */
@Timeout(30)
class ConsolePanesTest {

    private static ConsoleHarness pausedByLockQueue(TerminalSize size) throws Exception {
        return ConsoleHarness.run(size, at(67), Scenes.fold())
                .events(Scenes.opening())
                .events(Scenes.backfilling())
                .tick()
                .after(Duration.ofSeconds(13))
                .events(Scenes.pausedByLockQueue())
                .tick();
    }

    @Test
    void theRunPaneAt80x24() throws Exception {
        try (ConsoleHarness console = ConsoleHarness.run(SMALL, at(67), Scenes.fold())) {
            console.events(Scenes.opening()).events(Scenes.backfilling()).tick();
            assertThat(console.text()).isEqualTo(RUNNING_80X24);
        }
        try (ConsoleHarness console = pausedByLockQueue(SMALL)) {
            assertThat(console.text()).isEqualTo(PAUSED_80X24);
        }
    }

    @Test
    void aStepWhoseAttemptFailedShowsTheErrorOnTwoRowsAndWhatComesNext() throws Exception {
        String error = "ERROR: canceling statement due to lock timeout while waiting for AccessExclusiveLock on"
                + " relation case_file";
        try (ConsoleHarness console = ConsoleHarness.run(SMALL, at(45), Scenes.fold())
                .events(Scenes.beforeTheAlter())
                .events(
                        new EngineEvent.StepStarted(at(41), "add-column", "sql", 1, true),
                        new EngineEvent.StepEnded(at(43), "add-column", 1, "failed", null, 2004, "55P03", error))
                .tick()) {
            List<String> detail = console.lines().subList(4, 9).stream()
                    .map(line -> line.substring(line.indexOf('│') + 1).strip())
                    .toList();
            // the error without its "ERROR:", wrapped at a space, the rest cut at the end of the second row
            assertThat(detail.get(0)).isEqualTo("attempt 1 failed:");
            assertThat(detail.get(1)).isEqualTo("canceling statement due to lock");
            assertThat(detail.get(2))
                    .startsWith("timeout while waiting for")
                    .endsWith("…")
                    .hasSize(38);
            assertThat(detail.get(3)).isEqualTo("it is tried again");
            assertThat(console.lines()).anyMatch(line -> line.startsWith("again add-column"));
        }
    }

    @Test
    void aFinishedBackfillSaysHowLongItTookInsteadOfAnEta() throws Exception {
        try (ConsoleHarness console = ConsoleHarness.run(SMALL, at(80), Scenes.fold())
                .events(Scenes.opening())
                .events(Scenes.backfilling())
                .events(new EngineEvent.StepEnded(at(79), "backfill-priority", 1, "ok", 120_000L, 37_000, null, null))
                .tick()) {
            assertThat(console.text()).contains("│ done in 37s").doesNotContain("ETA");
        }
    }

    @Test
    void theRunPaneAt132x43ShowsTheBlockingTreeAndMoreEvents() throws Exception {
        try (ConsoleHarness console = pausedByLockQueue(LARGE)) {
            List<String> lines = console.lines();
            assertThat(lines).hasSize(43);
            assertThat(lines.get(0))
                    .startsWith("LOCKSTEP CHG-2026-1120-case-priority  on cases on pg1:5432")
                    .endsWith("[ PAUSED ]");
            assertThat(lines.get(1))
                    .isEqualTo("run 20261121T030000Z-1b6eb  oncall@bastion pid 28190  up 1m20s  window 58m left");
            assertThat(lines.get(2))
                    .startsWith(
                            "PAUSED by lock-queue: lock wait 13s > 5s; pid 4242 idle in xact 3m40s blocks (2: locks, K ends it)");
            assertThat(String.join("\n", lines))
                    .contains("4,774 rows/s  batch 1,000, aim 200ms")
                    .contains("backfill-priority")
                    .contains("verify-backfill")
                    .contains(" lock-queue")
                    .contains("BREACH 8s")
                    .contains(
                            "blocker pid 4242 idle in transaction 3m40s holds ShareLock on case_file (alice billing), 2"
                                    + " queue behind it")
                    .contains("  <- pid 5151 lockstep waits 13s for RowExclusiveLock on case_file")
                    .contains("03:00:00 start   CHG-2026-1120-case-priority on cases on pg1:5432");
            assertThat(lines.get(42)).startsWith("Enter choices p pause s stop A abort t tune 2 locks 3 repl 4 events");
        }
    }

    /** The state word at the right of the header and the banner's first words, for every state a run shows. */
    @Test
    void theStateWordAndTheBannerSayWhereTheRunIs() throws Exception {
        record Case(String word, String banner, String ends, dev.lockstep.engine.EngineEvent... events) {}
        List<Case> cases = List.of(
                new Case(
                        "[ THROTTLED ]",
                        "THROTTLED by blocked-by-us: blocked by us 4 > 3; goes on by itself at <= 3",
                        null,
                        new dev.lockstep.engine.EngineEvent.StateChanged(
                                at(68),
                                dev.lockstep.engine.RunState.RUNNING,
                                dev.lockstep.engine.RunState.THROTTLED,
                                "stop criterion blocked-by-us: blocked_by_us 4 > 3",
                                dev.lockstep.engine.EngineEvent.StateChanged.Cause.CRITERIA,
                                "blocked-by-us"),
                        new dev.lockstep.engine.EngineEvent.Observed(
                                at(68),
                                Scenes.snapshot(at(68), Scenes.noWaits(), List.of(Scenes.caughtUp())),
                                List.of(Scenes.status(
                                        Scenes.BLOCKED_BY_US,
                                        dev.lockstep.criteria.CriterionState.BREACHED,
                                        4,
                                        at(68))),
                                java.util.Map.of())),
                new Case(
                        "[ PAUSED ]",
                        "CONTROL SESSION LOST: connection reset by peer; reconnecting for up to",
                        " s stops",
                        new dev.lockstep.engine.EngineEvent.StateChanged(
                                at(68),
                                dev.lockstep.engine.RunState.RUNNING,
                                dev.lockstep.engine.RunState.PAUSED,
                                "connection reset by peer",
                                dev.lockstep.engine.EngineEvent.StateChanged.Cause.CONNECTION,
                                null)),
                new Case(
                        "[ STOPPING ]",
                        "STOPPING: SIGTERM received; the run stops after the batch or statement in",
                        null,
                        new dev.lockstep.engine.EngineEvent.StopRequested(at(68), "SIGTERM received", false)),
                new Case(
                        "[ ABORTING ]",
                        "ABORTING: aborted by oncall@bastion: app errors; the statement in flight is",
                        null,
                        new dev.lockstep.engine.EngineEvent.StopRequested(
                                at(68), "aborted by oncall@bastion: app errors", true)),
                new Case(
                        "[ STOPPED ]",
                        "STOPPED (exit 4, resumable): stopped at a safe point. q quits",
                        null,
                        new dev.lockstep.engine.EngineEvent.RunClosed(
                                at(68),
                                Scenes.RUN_ID,
                                dev.lockstep.engine.RunState.STOPPED,
                                4,
                                "stopped at a safe point")),
                new Case(
                        "[ FAILED ]",
                        "FAILED (exit 1): step backfill-priority failed. Nothing more runs; q quits",
                        null,
                        new dev.lockstep.engine.EngineEvent.RunClosed(
                                at(68),
                                Scenes.RUN_ID,
                                dev.lockstep.engine.RunState.FAILED,
                                1,
                                "step backfill-priority failed")),
                new Case(
                        "[ DONE ]",
                        "DONE: every step completed (exit 0). q quits; then verify the timeline",
                        null,
                        new dev.lockstep.engine.EngineEvent.RunClosed(
                                at(68), Scenes.RUN_ID, dev.lockstep.engine.RunState.DONE, 0, "done")));
        for (TerminalSize size : List.of(SMALL, LARGE)) {
            for (Case expected : cases) {
                try (ConsoleHarness console = ConsoleHarness.run(size, at(69), Scenes.fold())) {
                    console.events(Scenes.opening())
                            .events(Scenes.backfilling())
                            .events(expected.events())
                            .tick();
                    assertThat(console.row(0)).as(console.text()).endsWith(expected.word());
                    assertThat(console.row(2)).as(console.text()).startsWith(expected.banner());
                    if (expected.ends() != null) {
                        // what to do next is never the part cut off
                        assertThat(console.row(2)).as(console.text()).endsWith(expected.ends());
                    }
                }
            }
        }
    }

    @Test
    void theLocksPaneListsTheTreeAndTheSelectedSessionsQuery() throws Exception {
        for (TerminalSize size : List.of(SMALL, LARGE)) {
            try (ConsoleHarness console = pausedByLockQueue(size)) {
                console.key("2");
                List<String> lines = console.lines();
                assertThat(lines.get(3)).startsWith("── LOCKS 2 waiting, longest 13s (sampled 03:01:20) ───");
                assertThat(lines.get(4))
                        .startsWith(">ROOT 4242 idle in transaction 3m40s holds ShareLock on case_file, blocks 2 | a");
                assertThat(lines.get(5))
                        .startsWith("   <- 5151 [Lockstep] waits 13s for RowExclusiveLock on case_file | lockstep l");
                assertThat(lines.get(6))
                        .isEqualTo("     <- 6001 waits 9.8s for RowExclusiveLock on case_file | case_api case-api");
                int rows = size.getRows();
                assertThat(lines.get(rows - 5)).startsWith("── SELECTED ──");
                assertThat(lines.get(rows - 4)).isEqualTo(" pid 4242 (alice, billing, idle in transaction)");
                assertThat(lines.get(rows - 3)).isEqualTo(" lock table case_file in share mode");
                assertThat(lines.get(rows - 1))
                        .startsWith("Enter choices p pause s stop A abort t tune c cancel K kill 1 run ")
                        .endsWith("? help q quit");

                console.key("j");
                assertThat(console.row(5)).startsWith(">  <- 5151 [Lockstep]");
                assertThat(console.row(rows - 4)).isEqualTo(" pid 5151 (lockstep, lockstep-run, active)  [Lockstep]");
            }
        }
    }

    @Test
    void theReplicationPaneShowsLagReplayAndASparkline() throws Exception {
        for (TerminalSize size : List.of(SMALL, LARGE)) {
            try (ConsoleHarness console = ConsoleHarness.run(size, at(70), Scenes.fold())) {
                console.events(Scenes.opening()).key("3");
                for (var sample : Scenes.lagging(12)) {
                    console.events(sample).after(Duration.ofSeconds(1)).tick();
                }
                List<String> lines = console.lines();
                assertThat(lines.get(3)).startsWith("── STANDBYS (sampled 03:01:21) ──");
                assertThat(lines.get(4)).isEqualTo(" s1        17s      18.9 MB    REPLAY PAUSED ▁▂▂▃▄▄▅▅▆▇▇█");
                assertThat(lines.get(5)).isEqualTo("   from primary_wal_history");
                assertThat(lines.get(6)).startsWith("── PRIMARY'S REPLICATION CONNECTIONS ──");
                assertThat(lines.get(7)).isEqualTo(" s1              streaming   replay lag 17s, 18.9 MB behind");
                assertThat(lines.get(8)).startsWith("── SLOTS ──");
                assertThat(lines.get(9))
                        .isEqualTo(" s1_slot             physical  active    holds 2.3 MB, wal reserved");
                // the run pane says the same in its database section, with the breach first among the criteria
                console.key("1");
                assertThat(console.lines())
                        .anyMatch(line -> line.matches(" standby-lag +lag +17s +> 6s +pause +BREACH 7s"))
                        .contains(" s1 lag 17s 18.9 MB REPLAY PAUSED  slots hold 2.3 MB  oldest xact 3m40s");
            }
        }
    }

    @Test
    void theEventsPaneListsTheRunsLinesNewestAtTheBottom() throws Exception {
        for (TerminalSize size : List.of(SMALL, LARGE)) {
            try (ConsoleHarness console = pausedByLockQueue(size)) {
                console.key("4");
                List<String> lines = console.lines();
                assertThat(lines.get(3)).startsWith("── EVENTS 12 ──");
                assertThat(lines.get(4))
                        .startsWith("03:00:00 start   CHG-2026-1120-case-priority on cases on pg1:5432: run");
                assertThat(lines.get(5)).isEqualTo("03:00:01 step    precheck (check)");
                assertThat(lines.get(14)).isEqualTo("03:01:12 BREACH  lock-queue: lock_wait_seconds 5.5 > 5 -> pause");
                assertThat(lines.get(15)).isEqualTo("03:01:12 state   running -> paused by stop criterion lock-queue");
                assertThat(lines.get(16)).isEmpty();
                assertThat(lines.get(size.getRows() - 1)).contains("/ filter");
            }
        }
    }

    @Test
    void theHelpListsEveryKey() throws Exception {
        for (TerminalSize size : List.of(SMALL, LARGE)) {
            try (ConsoleHarness console = pausedByLockQueue(size)) {
                console.key("?");
                List<String> lines = console.lines();
                assertThat(lines.get(3)).startsWith("── KEYS (any key closes this) ──");
                assertThat(lines.subList(4, 18))
                        .extracting(line -> line.substring(1, 11).strip())
                        .containsExactly(
                                "1 2 3 4", "Enter", "p", "r", "t", "s", "A", "up/down", "c  K", "/", "Esc", "Ctrl-L",
                                "Ctrl-C", "q");
                assertThat(lines.get(19).strip())
                        .isEqualTo("Each command goes into the timeline with your name and reason before it acts.");
            }
        }
    }

    @Test
    void watchShowsTheDatabaseLocksAndReplicationReadOnly() throws Exception {
        for (TerminalSize size : List.of(SMALL, LARGE)) {
            try (ConsoleHarness console = ConsoleHarness.watch(
                    size,
                    new Look(true, true),
                    at(80),
                    Scenes.snapshot(at(80), Scenes.queue(), List.of(Scenes.caughtUp())))) {
                console.tick();
                List<String> lines = console.lines();
                assertThat(lines.get(0))
                        .startsWith("LOCKSTEP watch  cases on pg1:5432, PostgreSQL 16.4")
                        .endsWith("[ WATCHING ]");
                assertThat(lines.get(1)).startsWith("sampled 03:01:20 in 13 ms").endsWith("READ-ONLY");
                assertThat(lines.get(2))
                        .startsWith("2 waiting for locks, longest 13s; blocker pid 4242 idle in transaction 3m40s");
                assertThat(String.join("\n", lines))
                        .contains("── SESSIONS ──")
                        .contains(" 23 client sessions, 4 active, 1 idle in transaction, 2 waiting on locks")
                        .contains("── LONG AND IDLE TRANSACTIONS (oldest first) ──")
                        .contains(" pid 4242   alice     idle in transaction   3m40s   lock table case_file in sha");
                assertThat(lines.get(size.getRows() - 1)).startsWith("2 locks 3 repl ? help q quit");
                assertThat(console.key("4").row(3)).startsWith("── DATABASE").as("no events pane when watching");
                assertThat(console.key("2").row(4)).startsWith(">ROOT 4242 idle in transaction 3m40s");
                console.key("q");
                assertThat(console.turn()).isFalse();
            }
        }
    }

    private static final String RUNNING_80X24 = String.join(
                    "\n",
                    List.of(
                            "LOCKSTEP CHG-2026-1120-case-priority  on cases on pg1:5432           [ RUNNING ]",
                            "run 20261121T030000Z-1b6eb  oncall@bastion pid 28190  up 1m07s  window 58m left",
                            "RUNNING backfill-priority, step 4 of 5. Nothing needs you.",
                            "── STEPS 3/5 ───────────────────────────── BACKFILL backfill-priority ──────────",
                            "ok    precheck                     11ms │ [████████████░░░░░░░░] 60.5%",
                            "ok    confirm-backup                38s │ 72,600 keys / 120k (planner est.)",
                            "ok    add-column                    4ms │ 4,774 rows/s  batch 1,000, aim 200ms",
                            ">>    backfill-priority          25s/2m │ ETA 9s (03:01:16), window to 04:00 ok",
                            "      verify-backfill                   │ 72,600 rows set",
                            "── STOP CRITERIA ────────────── now ───── limit ─── action ─ state ─────────────",
                            " lock-queue      lock wait     0.0s      > 5s      pause    ok",
                            " standby-lag     lag           0.4s      > 6s      pause    ok",
                            " blocked-by-us   blocked by us 0         > 3       throttle ok",
                            "── DATABASE (sampled 03:01:06) ─────────────────────────────────────────────────",
                            " locks: no waits",
                            " s1 lag 0.4s 64.0 kB  slots hold 2.3 MB  oldest xact 3m40s",
                            "── EVENTS (4: all, / filter) ───────────────────────────────────────────────────",
                            "03:00:42 step    backfill-priority (backfill)",
                            "03:00:41 ok      add-column 0 rows in 4 ms",
                            "03:00:41 step    add-column (sql)",
                            "03:00:40 ok      confirm-backup in 38s",
                            "03:00:40 approve confirm-backup by oncall@bastion (prompt): restore tested on s…",
                            "03:00:02 step    confirm-backup (approval)",
                            "p pause s stop A abort t tune 2 locks 3 repl 4 events ? help q quit"))
            + "\n";
    private static final String PAUSED_80X24 = String.join(
                    "\n",
                    List.of(
                            "LOCKSTEP CHG-2026-1120-case-priority  on cases on pg1:5432            [ PAUSED ]",
                            "run 20261121T030000Z-1b6eb  oncall@bastion pid 28190  up 1m20s  window 58m left",
                            "PAUSED by lock-queue: lock wait 13s > 5s; pid 4242 blocks (2: locks, K ends it)",
                            "── STEPS 3/5 ───────────────────────────── BACKFILL backfill-priority ──────────",
                            "ok    precheck                     11ms │ [████████████░░░░░░░░] 60.5%",
                            "ok    confirm-backup                38s │ 72,600 keys / 120k (planner est.)",
                            "ok    add-column                    4ms │ 4,774 rows/s  batch 1,000, aim 200ms",
                            ">>    backfill-priority          38s/2m │ paused: no batch runs, the ETA waits",
                            "      verify-backfill                   │ paused 12s  72,600 rows set",
                            "── STOP CRITERIA ────────────── now ───── limit ─── action ─ state ─────────────",
                            " lock-queue      lock wait     13s       > 5s      pause    BREACH 8s",
                            " standby-lag     lag           0.4s      > 6s      pause    ok",
                            " blocked-by-us   blocked by us 0         > 3       throttle ok",
                            "── DATABASE (sampled 03:01:20) ─────────────────────────────────────────────────",
                            " locks: 2 waiting, longest 13s; blocker pid 4242 idle in transaction 3m40s hold…",
                            " s1 lag 0.4s 64.0 kB  slots hold 2.3 MB  oldest xact 3m40s",
                            "── EVENTS (4: all, / filter) ───────────────────────────────────────────────────",
                            "03:01:12 state   running -> paused by stop criterion lock-queue",
                            "03:01:12 BREACH  lock-queue: lock_wait_seconds 5.5 > 5 -> pause",
                            "03:00:42 step    backfill-priority (backfill)",
                            "03:00:41 ok      add-column 0 rows in 4 ms",
                            "03:00:41 step    add-column (sql)",
                            "03:00:40 ok      confirm-backup in 38s",
                            "Enter choices p pause s stop A abort t tune 2 locks 3 repl ? help q quit"))
            + "\n";
}
