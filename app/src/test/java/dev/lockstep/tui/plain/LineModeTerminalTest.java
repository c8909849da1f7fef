package dev.lockstep.tui.plain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.engine.LockstepProcess;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import dev.lockstep.tui.TmuxSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lockstep run --plain} in a real 80x24 terminal (tmux) against the sandbox, answered by typing: an
 * approval, a resume after a pause that has no auto_resume, and Ctrl-C and Ctrl-D at a prompt. What the
 * operator typed and who they are must end up in the run's timeline.
 */
@ExtendWith(SandboxExtension.class)
class LineModeTerminalTest {

    /** Bounds for a stuck run on a busy machine, not measurements. */
    private static final Duration START = Duration.ofSeconds(90);

    private static final Duration STEP = Duration.ofSeconds(60);

    /** Who answers: the OS user at this host, as the timeline and the screen name an operator. */
    private static final String USER = dev.lockstep.engine.Holder.current().userAtHost();

    @TempDir
    static Path dir;

    private static Sandbox sandbox;

    @BeforeAll
    static void needsTmux(Sandbox running) {
        assumeTrue(
                TmuxSession.available(),
                "tmux is not installed: the line mode terminal test needs a real terminal (.ci/run installs tmux)");
        sandbox = running;
    }

    @Test
    void anApprovalIsAskedOnTheTerminalAndRecordedWithTheReasonAndTheOperator() throws Exception {
        execute("drop table if exists tmux_approved");
        Path runbook = runbook(
                "T-tmux-approval",
                "",
                """
                - id: confirm-backup
                  kind: approval
                  prompt: "Backup of the cases database taken and restore-tested?"
                - id: create-table
                  kind: sql
                  sql: create table tmux_approved (id int)
                """);
        try (TmuxSession terminal = run("approval", runbook)) {
            terminal.await(
                    "the approval question",
                    START,
                    screen -> contains(
                                    screen,
                                    "ASK     approve confirm-backup: Backup of the cases database taken and restore-tested?")
                            && last(screen).equals("yes/no>"));
            terminal.type("yes");
            terminal.press("Enter");
            terminal.await("the reason prompt", STEP, screen -> last(screen).equals("reason>"));
            terminal.type("restore tested on staging at 01:40, ticket OPS-4711");
            terminal.press("Enter");

            List<String> end = terminal.await("the end of the run", STEP, screen -> contains(screen, "end     run "));
            assertThat(terminal.awaitExit(STEP)).as(String.join("\n", end)).isZero();
            assertThat(RunLinesTest.joined(end))
                    .contains("approve confirm-backup by " + USER
                            + " (prompt): restore tested on staging at 01:40, ticket OPS-4711")
                    .contains("ok      create-table");
            assertThat(terminal.everything())
                    .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        }

        JsonNode approval = timelineEvent("T-tmux-approval", "approval");
        assertThat(approval.path("actor").asText()).isEqualTo("operator:" + USER);
        assertThat(approval.path("body").path("by").asText()).isEqualTo(USER);
        assertThat(approval.path("body").path("how").asText()).isEqualTo("console");
        assertThat(approval.path("body").path("reason").asText())
                .isEqualTo("restore tested on staging at 01:40, ticket OPS-4711");
        assertThat(count("select count(*) from information_schema.tables where table_name = 'tmux_approved'"))
                .isOne();
        execute("drop table tmux_approved");
    }

    @Test
    void aPauseWithoutAutoResumeAsksToResumeOnceTheSignalClears() throws Exception {
        // given: a criterion that trips once 2,000 rows are done and clears when the test releases it
        execute(
                "drop table if exists tmux_fill",
                "create table tmux_fill (id bigint primary key, n int not null default 0)",
                "insert into tmux_fill select g from generate_series(1, 100000) g",
                "drop table if exists tmux_release",
                "create table tmux_release (at timestamptz)");
        Path runbook = runbook(
                "T-tmux-resume",
                """
                stop_criteria:
                  - id: hold-for-the-operator
                    signal:
                      sql: >-
                        select case when (select count(*) from tmux_fill where n = 1) >= 2000
                        and not exists (select 1 from tmux_release) then 1 else 0 end
                    above: 0
                    action: pause
                """,
                """
                - id: fill
                  kind: backfill
                  table: tmux_fill
                  key: id
                  batch: { size: 1000, pause: 100ms }
                  sql: update tmux_fill set n = n + 1 where id > :from and id <= :to
                  verify:
                    sql: select count(*) from tmux_fill where n <> 1
                    expect: { equals: 0 }
                """);
        try (TmuxSession terminal = run("resume", runbook)) {
            terminal.await(
                    "the pause",
                    START,
                    screen -> contains(screen, "state   running -> paused by stop criterion hold-for-the-operator"));
            assertThat(RunLinesTest.joined(terminal.everything()))
                    .containsPattern("BREACH  hold-for-the-operator: sql:\\S+ 1 > 0 -> pause");

            // when: the signal clears, the operator is asked
            execute("insert into tmux_release values (now())");
            terminal.await(
                    "the question",
                    STEP,
                    screen -> contains(screen, "ASK     stop criterion hold-for-the-operator cleared; resume the run?")
                            && last(screen).equals("resume/stop>"));
            terminal.type("resume");
            terminal.press("Enter");
            terminal.await("the reason prompt", STEP, screen -> last(screen).equals("reason>"));
            terminal.press("Enter");
            terminal.await(
                    "the reason asked again",
                    STEP,
                    screen -> contains(
                                    screen,
                                    "ASK     a reason is required: it is recorded with your name (" + USER + ")")
                            && last(screen).equals("reason>"));
            terminal.type("release checked, lag back to normal");
            terminal.press("Enter");

            // then: the run goes on and completes
            List<String> end = terminal.await("the end of the run", STEP, screen -> contains(screen, "end     run "));
            assertThat(terminal.awaitExit(STEP)).as(String.join("\n", end)).isZero();
            assertThat(RunLinesTest.joined(terminal.everything()))
                    .contains("clear   hold-for-the-operator: sql:")
                    .contains("decide  resume at fill by " + USER + ": release checked, lag back to normal")
                    .containsPattern("ok      fill 100,000 rows in ")
                    .containsPattern("end     run \\S+ done, exit 0");
            assertThat(terminal.everything())
                    .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        }

        JsonNode decision = timelineEvent("T-tmux-resume", "decision");
        assertThat(decision.path("actor").asText()).isEqualTo("operator:" + USER);
        assertThat(decision.path("body").path("what").asText()).isEqualTo("resume");
        assertThat(decision.path("body").path("reason").asText()).isEqualTo("release checked, lag back to normal");
        assertThat(count("select count(*) from tmux_fill where n <> 1")).isZero();
        execute("drop table tmux_fill", "drop table tmux_release");
    }

    @Test
    void ctrlCAtAPromptStopsTheRunResumably() throws Exception {
        Path runbook = runbook("T-tmux-ctrl-c", "", approvalOnly());
        try (TmuxSession terminal = run("ctrl-c", runbook)) {
            terminal.await(
                    "the approval question", START, screen -> last(screen).equals("yes/no>"));
            terminal.type("ye");

            terminal.press("C-c");

            assertThat(terminal.awaitExit(STEP)).isEqualTo(4);
            assertThat(RunLinesTest.joined(terminal.screen()))
                    .contains("STOPPED, exit 4: stopped at step confirm: Ctrl-C at the prompt for the approval of step"
                            + " confirm: stopped at a safe point; the run is resumable");
        }
    }

    @Test
    void ctrlDAtAPromptLeavesItUnansweredAndStopsTheRunResumably() throws Exception {
        Path runbook = runbook("T-tmux-ctrl-d", "", approvalOnly());
        try (TmuxSession terminal = run("ctrl-d", runbook)) {
            terminal.await(
                    "the approval question", START, screen -> last(screen).equals("yes/no>"));

            terminal.press("C-d");

            assertThat(terminal.awaitExit(STEP)).isEqualTo(4);
            assertThat(RunLinesTest.joined(terminal.screen()))
                    .contains("STOPPED, exit 4: stopped at step confirm: no answer to the approval of step confirm"
                            + " (Ctrl-D at the prompt); the run is resumable");
        }
    }

    @Test
    void ctrlCAfterAnAnsweredQuestionStillStopsAtASafePoint() throws Exception {
        // a question must not leave Ctrl-C to the JVM's default, which would kill the run mid-batch
        execute(
                "drop table if exists tmux_after",
                "create table tmux_after (id bigint primary key, n int not null default 0)",
                "insert into tmux_after select g from generate_series(1, 100000) g");
        Path runbook = runbook(
                "T-tmux-after",
                "",
                """
                - id: confirm
                  kind: approval
                  prompt: "Go ahead?"
                - id: fill
                  kind: backfill
                  table: tmux_after
                  key: id
                  batch: { size: 1000, pause: 100ms }
                  sql: update tmux_after set n = n + 1 where id > :from and id <= :to
                  verify:
                    sql: select count(*) from tmux_after where n <> 1
                    expect: { equals: 0 }
                """);
        try (TmuxSession terminal = run("after", runbook)) {
            terminal.await(
                    "the approval question", START, screen -> last(screen).equals("yes/no>"));
            terminal.type("yes");
            terminal.press("Enter");
            terminal.await("the reason prompt", STEP, screen -> last(screen).equals("reason>"));
            terminal.type("go");
            terminal.press("Enter");
            terminal.await("the backfill", STEP, screen -> contains(screen, "step    fill (backfill)"));

            terminal.press("C-c");

            assertThat(terminal.awaitExit(STEP)).isEqualTo(4);
            assertThat(RunLinesTest.joined(terminal.screen()))
                    .contains("STOPPED, exit 4: stopped at step fill: SIGINT received: stopped at a safe point");
        }
        assertThat(count("select count(*) from tmux_after where n > 1")).isZero();
        execute("drop table tmux_after");
    }

    private static String approvalOnly() {
        return """
                - id: confirm
                  kind: approval
                  prompt: "Go ahead?"
                - id: note
                  kind: note
                  text: approved
                """;
    }

    private static TmuxSession run(String name, Path runbook) throws IOException, InterruptedException {
        List<String> command = LockstepProcess.command(List.of(
                "run",
                runbook.toString(),
                "--db",
                sandbox.primaryUri(),
                "--plain",
                "--timeline",
                dir.resolve("timeline").toString(),
                "--unsigned"));
        return TmuxSession.start(dir, name, command, 80, 24);
    }

    private static Path runbook(String id, String criteria, String steps) throws IOException {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %s
                title: line mode at a real terminal
                owner: tests
                intent: an operator answers the run's questions by typing
                change: { class: R2, phase: migrate }
                %s
                steps:
                %s
                """
                        .formatted(id, criteria.strip(), steps.indent(2).stripTrailing()),
                StandardCharsets.UTF_8);
        return file;
    }

    /** The first timeline line of {@code type} of the run of {@code runbookId}. */
    private static JsonNode timelineEvent(String runbookId, String type) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("timeline"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
                List<JsonNode> lines = new ArrayList<>();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    lines.add(json.readTree(line));
                }
                boolean ofThisRunbook = lines.stream()
                        .anyMatch(line -> line.path("type").asText().equals("open")
                                && line.path("body").path("runbook_id").asText().equals(runbookId));
                if (ofThisRunbook) {
                    lines.stream()
                            .filter(line -> line.path("type").asText().equals(type))
                            .forEach(found::add);
                }
            }
        }
        assertThat(found).as("%s lines in the timeline of %s", type, runbookId).hasSize(1);
        return found.get(0);
    }

    private static boolean contains(List<String> screen, String text) {
        return RunLinesTest.joined(screen).contains(text);
    }

    /** The last line of the screen with text on it. */
    private static String last(List<String> screen) {
        return screen.stream()
                .filter(line -> !line.isBlank())
                .reduce((first, second) -> second)
                .orElse("");
    }

    private static void execute(String... statements) throws SQLException {
        try (Connection connection = sandbox.connectPrimary();
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection connection = sandbox.connectPrimary();
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
