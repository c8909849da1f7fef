package dev.lockstep.tui.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.engine.Holder;
import dev.lockstep.engine.LockstepProcess;
import dev.lockstep.sandbox.Drill;
import dev.lockstep.sandbox.Drills;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import dev.lockstep.timeline.OperatorKey;
import dev.lockstep.timeline.TimelineVerifier;
import dev.lockstep.timeline.Verdict;
import dev.lockstep.tui.TmuxSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console as a person meets it: the real {@code lockstep} in a real 80x24 terminal (tmux), keys typed,
 * the screen read. A run with an approval answered in the console, a lock holder that pauses it (the screen
 * names the blocker's pid), the holder released, resume answered with a reason, the run finished, q; then
 * the shell has its terminal back and the timeline holds both reasons as typed. And the demo in the console
 * until it ends.
 */
@ExtendWith(SandboxExtension.class)
class ConsoleTerminalTest {

    /** Bounds for a stuck run on a busy machine, not measurements. */
    private static final Duration START = Duration.ofSeconds(90);

    private static final Duration STEP = Duration.ofSeconds(60);
    private static final Map<String, String> TERMINAL = Map.of("TERM", "xterm-256color", "LANG", "C.UTF-8");
    private static final String APPROVAL_REASON = "restore tested on staging, ticket OPS-4711";
    private static final String RESUME_REASON = "holder gone, queue empty, app team agrees";

    @TempDir
    static Path dir;

    private static Sandbox sandbox;

    @BeforeAll
    static void needsTmux(Sandbox running) {
        assumeTrue(
                TmuxSession.available(),
                "tmux is not installed: the console terminal test needs a real terminal (.ci/run installs tmux)");
        sandbox = running;
    }

    @Test
    void aRunAnsweredPausedByALockHolderAndResumedWithKeysEndsInARestoredTerminal() throws Exception {
        // given: a backfill long enough to hold a lock against, behind an approval
        execute(
                "drop table if exists console_fill",
                "create table console_fill (id bigint primary key, n int not null default 0)",
                "insert into console_fill select g from generate_series(1, 30000) g",
                "analyze console_fill");
        Path key = dir.resolve("operator.key");
        OperatorKey.generate().save(key);
        Path runbook = dir.resolve("console.yaml");
        Files.writeString(
                runbook,
                """
                lockstep: 1
                id: T-console-keys
                title: the console, as a person uses it
                owner: tests
                intent: an approval, a lock queue, a resume, all with keys
                change: { class: R2, phase: migrate }
                stop_criteria:
                  - { id: lock-queue, signal: lock_wait_seconds, above: 2, for: 1s, clear_below: 1, action: pause }
                steps:
                  - id: confirm-backup
                    kind: approval
                    prompt: Backup of the cases database taken and restore-tested?
                  - id: fill
                    kind: backfill
                    table: console_fill
                    key: id
                    batch: { size: 200, pause: 100ms }
                    sql: update console_fill set n = n + 1 where id > :from and id <= :to
                    verify:
                      sql: select count(*) from console_fill where n <> 1
                      expect: { equals: 0 }
                """,
                StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(LockstepProcess.command(List.of(
                "run",
                runbook.toString(),
                "--db",
                sandbox.primaryUri(),
                "--standby",
                sandbox.standbyUri(),
                "--key",
                key.toString(),
                "--timeline",
                dir.resolve("timeline").toString())));
        try (TmuxSession terminal = TmuxSession.start(
                dir,
                "console-keys",
                command,
                80,
                24,
                TERMINAL,
                "echo 'type a line:'\nread typed\necho \"you typed: $typed\"\n")) {
            // when: the approval, answered with a letter and a reason
            terminal.await("the approval dialog", START, screen -> contains(screen, "APPROVAL confirm-backup"));
            terminal.type("a");
            terminal.await("the reason field", STEP, screen -> contains(screen, "reason: _"));
            terminal.type(APPROVAL_REASON);
            terminal.press("Enter");
            terminal.await("the backfill", STEP, screen -> contains(screen, "BACKFILL fill"));

            // and: a lock holder that queues a writer, until the run pauses naming it
            try (Drill holder = Drills.of(
                    "lock-holder",
                    Drills.Target.of(sandbox),
                    Drills.Options.defaults().withTable("console_fill"))) {
                String injected = holder.inject();
                Matcher pid = Pattern.compile("session pid (\\d+) holds").matcher(injected);
                assertThat(pid.find()).as(injected).isTrue();
                List<String> paused = terminal.await(
                        "the pause naming the blocker",
                        STEP,
                        screen -> contains(screen, "[ PAUSED ]") && contains(screen, "pid " + pid.group(1)));
                assertThat(String.join("\n", paused)).contains("lock-queue").contains("BREACH");
                terminal.press("2");
                List<String> locks =
                        terminal.await("the locks pane", STEP, screen -> contains(screen, "ROOT " + pid.group(1)));
                assertThat(String.join("\n", locks)).contains("holds ShareLock on console_fill");
                terminal.press("1");
                holder.undo();
            }

            // then: resume is asked once the queue cleared; answered with a reason
            terminal.await("the resume question", STEP, screen -> contains(screen, "RESUME?"));
            terminal.type("r");
            terminal.await("the reason field", STEP, screen -> contains(screen, "reason: _"));
            terminal.type(RESUME_REASON);
            terminal.press("Enter");
            terminal.await("the end of the run", STEP, screen -> contains(screen, "[ DONE ]"));
            terminal.press("q");

            // and: the normal screen again, with the closing lines, and a terminal that echoes what is typed
            terminal.await("the closing lines", STEP, screen -> contains(screen, "DONE, exit 0"));
            assertThat(terminal.awaitExit(STEP)).isZero();
            terminal.await("the shell's question", STEP, screen -> contains(screen, "type a line:"));
            terminal.type("hello");
            terminal.press("Enter");
            List<String> after = terminal.await("the shell", STEP, screen -> contains(screen, "you typed: hello"));
            String shown = String.join("\n", after);
            assertThat(shown).contains("timeline ").contains("lockstep verify ");
            assertThat(after).allSatisfy(line -> assertThat(line).doesNotContain("\u001b"));
        }
        Path timeline;
        try (var files = Files.list(dir.resolve("timeline"))) {
            timeline = files.filter(file -> file.toString().endsWith(".jsonl"))
                    .findFirst()
                    .orElseThrow();
        }
        assertThat(TimelineVerifier.verify(timeline, OperatorKey.load(key).publicKey())
                        .verdict())
                .isEqualTo(Verdict.COMPLETE);
        String recorded = Files.readString(timeline);
        String actor = "operator:" + Holder.current().userAtHost();
        assertThat(recorded)
                .contains("\"reason\":\"" + APPROVAL_REASON + "\"")
                .contains("\"reason\":\"" + RESUME_REASON + "\"")
                .contains("\"actor\":\"" + actor + "\"");
        assertThat(count("select count(*) from console_fill where n <> 1")).isZero();
    }

    @Test
    void theDemoRunsInTheConsoleUntilItEnds() throws Exception {
        List<String> command = new ArrayList<>(LockstepProcess.command(List.of("demo", "--exit")));
        Map<String, String> env = new java.util.HashMap<>(TERMINAL);
        env.put("LOCKSTEP_PG_BINARIES", System.getProperty("lockstep.pg.binaries"));
        try (TmuxSession terminal = TmuxSession.start(dir, "console-demo", command, 80, 24, env, "")) {
            // the lock queue: the console names the blocker; the operator ends it from the locks pane
            terminal.await(
                    "the pause by the lock queue",
                    Duration.ofSeconds(240),
                    screen -> contains(screen, "[ PAUSED ]") && contains(screen, "lock-queue"));
            terminal.press("2");
            terminal.await("the blocker in the locks pane", STEP, screen -> contains(screen, "ROOT "));
            terminal.press("K");
            terminal.await("the terminate dialog", STEP, screen -> contains(screen, "TERMINATE pid"));
            terminal.type("the drill's holder blocks the ALTER");
            terminal.press("Enter");
            terminal.await("the confirmation", STEP, screen -> contains(screen, "press y to terminate"));
            terminal.type("y");
            terminal.await("the resume question", STEP, screen -> contains(screen, "RESUME?"));
            terminal.type("r");
            terminal.await("the reason field", STEP, screen -> contains(screen, "reason: _"));
            terminal.type("queue empty after the holder was terminated");
            terminal.press("Enter");
            terminal.press("1");

            // then the lag drill pauses and resumes the run by itself; with --exit the console closes at the end
            // and the last act opens: an old writer's row fails VALIDATE, the failure dialog offers the repair
            terminal.await(
                    "the failure dialog of the last act",
                    Duration.ofSeconds(240),
                    screen -> contains(screen, "FAILED validate-check") && contains(screen, "e  repair"));
            terminal.type("e");
            terminal.await("the reason field", STEP, screen -> contains(screen, "reason: _"));
            terminal.type("one case from an old node gets the default");
            terminal.press("Enter");
            int exit = terminal.awaitExit(Duration.ofSeconds(240));
            String everything = String.join("\n", terminal.everything());
            assertThat(exit).as(everything).isZero();
            assertThat(everything)
                    .contains("What happened:")
                    .doesNotContain("[ ] NOT")
                    .contains("COMPLETE: run ");
        }
    }

    private static boolean contains(List<String> screen, String text) {
        return screen.stream().anyMatch(line -> line.contains(text));
    }

    @Test
    void aHangupAfterTheRunEndedLeavesTheConsoleInsteadOfWaitingForAKey() throws Exception {
        // given: a run that has ended, its console waiting for q
        Path runbook = dir.resolve("hangup.yaml");
        Files.writeString(
                runbook,
                """
                lockstep: 1
                id: T-console-hangup
                title: the SSH session drops after the run ended
                owner: tests
                intent: a console whose terminal is gone must not wait forever for a key
                change: { class: R1, phase: expand }
                steps:
                  - id: one
                    kind: check
                    sql: select 1
                    expect: { equals: 1 }
                """,
                StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(LockstepProcess.command(List.of(
                "run",
                runbook.toString(),
                "--db",
                sandbox.primaryUri(),
                "--unsigned",
                "--timeline",
                dir.resolve("timeline-hangup").toString())));
        try (TmuxSession terminal = TmuxSession.start(dir, "console-hangup", command, 80, 24, TERMINAL, "")) {
            terminal.await("the end of the run", START, screen -> contains(screen, "[ DONE ]"));

            // when: SIGHUP, as when the SSH session drops
            new ProcessBuilder("pkill", "-HUP", "-f", runbook.toString())
                    .start()
                    .waitFor();

            // then: the process ends by itself, with the run's exit code
            assertThat(terminal.awaitExit(STEP)).isZero();
        }
    }

    private static void execute(String... statements) throws Exception {
        try (Connection connection = sandbox.connectPrimary();
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static long count(String sql) throws Exception {
        try (Connection connection = sandbox.connectPrimary();
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
