package dev.lockstep.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.criteria.CriterionState;
import dev.lockstep.criteria.Sampler;
import dev.lockstep.criteria.SignalReading;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run-session API as a front end uses it: prepare, start with an operator and a screen, send commands
 * from another thread, read the view folded from typed events. Every command is a decision in the timeline
 * before it acts; a command that cannot act is refused with the reason and recorded nowhere.
 */
@ExtendWith(SandboxExtension.class)
class RunSessionTest {

    private static final String ACTOR = "tester@testhost";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    @BeforeAll
    static void database(Sandbox sandbox) {
        EngineDatabase.use(sandbox);
    }

    private final List<EngineEvent> events = new CopyOnWriteArrayList<>();

    private static RunSession prepare(String id, String criteria, String steps) throws Exception {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(
                file,
                """
                lockstep: 1
                id: %s
                title: the session API
                owner: tests
                intent: commands and views, as a console uses them
                change: { class: R2, phase: migrate }
                stop_criteria:
                %s
                steps:
                %s
                """
                        .formatted(
                                id,
                                criteria.indent(2).stripTrailing(),
                                steps.indent(2).stripTrailing()),
                StandardCharsets.UTF_8);
        return RunSession.prepare(new RunRequest(
                RunbookLoader.load(file),
                file,
                Map.of(),
                ConnectionSettings.parse(EngineDatabase.uri()),
                List.of(),
                dir.resolve("timeline"),
                null,
                LockstepSchema.defaultSchema(),
                Map.of(),
                Map.of(),
                null,
                new Holder("tester", "testhost", 4242),
                Sampler.Settings.defaults().withInterval(Duration.ofMillis(200)),
                "test"));
    }

    private static String fill(String table, int size, String pause) {
        return """
                - id: fill
                  kind: backfill
                  table: %1$s
                  key: id
                  batch: { size: %2$d, pause: %3$s }
                  sql: update %1$s set n = n + 1 where id > :from and id <= :to
                  verify:
                    sql: select count(*) from %1$s where n <> 1
                    expect: { equals: 0 }
                """
                .formatted(table, size, pause);
    }

    private static final String NO_CRITERIA = "[]";

    /** Waits until an event matches (the run's own progress, never a guessed time). */
    private void await(String what, Predicate<EngineEvent> wanted, RunSession session) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (events.stream().noneMatch(wanted)) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            assertThat(session.ended() && events.stream().noneMatch(wanted))
                    .as("the run ended before " + what + ": " + session.view().outcome())
                    .isFalse();
            Thread.sleep(10);
        }
    }

    private long count(Predicate<EngineEvent> wanted) {
        return events.stream().filter(wanted).count();
    }

    private static RunResult end(RunSession session) throws Exception {
        return session.awaitEnd(PATIENCE).orElseThrow();
    }

    @Test
    void pauseHoldsEveryBatchUntilResumeAndBothAreDecisionsBeforeTheyAct() throws Exception {
        // given
        EngineDatabase.counterTable("rs_pause", 20_000);
        RunSession session = prepare("T-rs-pause", NO_CRITERIA, fill("rs_pause", 200, "20ms"));
        session.start(Operator.UNATTENDED, events::add);
        await("three batches", e -> e instanceof EngineEvent.BatchCommitted b && b.batch() >= 3, session);

        // when: paused
        assertThat(session.send(new Command.Pause(ACTOR, "the app team wants a look"))
                        .accepted())
                .isTrue();
        await(
                "the operator's pause",
                e -> e instanceof EngineEvent.StateChanged s
                        && s.to() == RunState.PAUSED
                        && s.cause() == EngineEvent.StateChanged.Cause.OPERATOR,
                session);
        long batchesWhenPaused = count(e -> e instanceof EngineEvent.BatchCommitted);
        long observedWhenPaused = count(e -> e instanceof EngineEvent.Observed);
        await(
                "three more samples while paused",
                e -> count(o -> o instanceof EngineEvent.Observed) >= observedWhenPaused + 3,
                session);

        // then: nothing moved while paused, a second pause is refused, and resume lets it finish
        assertThat(count(e -> e instanceof EngineEvent.BatchCommitted)).isEqualTo(batchesWhenPaused);
        assertThat(session.view().state()).isEqualTo(RunState.PAUSED);
        assertThat(session.view().stateBy()).isEqualTo(ACTOR);
        Command.Outcome again = session.send(new Command.Pause(ACTOR, "again"));
        assertThat(again.accepted()).isFalse();
        assertThat(again.refusal()).contains("already paused by " + ACTOR);
        assertThat(session.send(new Command.Resume(ACTOR, "looked fine")).accepted())
                .isTrue();
        RunResult result = end(session);
        assertThat(result.exitCode()).isEqualTo(dev.lockstep.ExitCode.DONE);
        assertThat(EngineDatabase.queryLong("select count(*) from rs_pause where n <> 1"))
                .isZero();
        List<EngineEvent.DecisionMade> decisions = events.stream()
                .filter(e -> e instanceof EngineEvent.DecisionMade)
                .map(e -> (EngineEvent.DecisionMade) e)
                .toList();
        assertThat(decisions)
                .extracting(EngineEvent.DecisionMade::decision, EngineEvent.DecisionMade::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("pause", "the app team wants a look"),
                        org.assertj.core.groups.Tuple.tuple("resume", "looked fine"));
        int pauseDecision = events.indexOf(decisions.get(0));
        int paused = indexOf(e -> e instanceof EngineEvent.StateChanged s && s.to() == RunState.PAUSED);
        assertThat(pauseDecision)
                .as("the decision is recorded before the pause acts")
                .isLessThan(paused);
        String timeline = Files.readString(session.timelineFile());
        assertThat(timeline)
                .contains("\"what\":\"pause\"")
                .contains("\"reason\":\"the app team wants a look\"")
                .contains("\"actor\":\"operator:" + ACTOR + "\"");
    }

    @Test
    void aPauseBeforeTheBackfillBeganIsNotCountedAsTheBackfillsOwn() throws Exception {
        // given: a wait step the test releases, then a backfill
        EngineDatabase.counterTable("rs_before", 2_000);
        EngineDatabase.execute("drop table if exists rs_gate", "create table rs_gate (id int)");
        RunSession session = prepare(
                "T-rs-before",
                NO_CRITERIA,
                """
                - { id: gate, kind: wait, sql: "select count(*) = 1 from rs_gate", interval: 100ms, timeout: 5m }
                """
                        + fill("rs_before", 500, "0ms"));
        session.start(Operator.UNATTENDED, events::add);
        await(
                "the wait step",
                e -> e instanceof EngineEvent.StepStarted s && s.step().equals("gate"),
                session);

        // when: the operator pauses while the run waits, the gate opens, and the pause lasts a few samples
        assertThat(session.send(new Command.Pause(ACTOR, "hold before the backfill"))
                        .accepted())
                .isTrue();
        EngineDatabase.execute("insert into rs_gate values (1)");
        await("the pause", e -> e instanceof EngineEvent.StateChanged s && s.to() == RunState.PAUSED, session);
        long observedWhenPaused = count(e -> e instanceof EngineEvent.Observed);
        await(
                "two samples while paused",
                e -> count(o -> o instanceof EngineEvent.Observed) >= observedWhenPaused + 2,
                session);
        assertThat(count(e -> e instanceof EngineEvent.BatchCommitted)).isZero();
        assertThat(session.send(new Command.Resume(ACTOR, "go")).accepted()).isTrue();
        RunResult result = end(session);

        // then: the backfill's progress says it was never paused (the run was, before it began)
        assertThat(result.exitCode()).isEqualTo(dev.lockstep.ExitCode.DONE);
        List<BackfillProgress> progress = events.stream()
                .filter(e -> e instanceof EngineEvent.ProgressReported)
                .map(e -> ((EngineEvent.ProgressReported) e).progress())
                .toList();
        assertThat(progress).isNotEmpty();
        assertThat(progress).allSatisfy(each -> assertThat(each.pausedFor()).isZero());
    }

    @Test
    void retuneChangesTheNextBatchesPaceAndSaysWhatItChanged() throws Exception {
        EngineDatabase.counterTable("rs_tune", 20_000);
        RunSession session = prepare("T-rs-tune", NO_CRITERIA, fill("rs_tune", 200, "50ms"));
        assertThat(session.send(new Command.Retune(ACTOR, "too early", null, Duration.ZERO))
                        .refusal())
                .as("before the run started")
                .isNotNull();
        session.start(Operator.UNATTENDED, events::add);
        await("a batch", e -> e instanceof EngineEvent.BatchCommitted, session);

        Command.Outcome outcome =
                session.send(new Command.Retune(ACTOR, "the replica keeps up", Duration.ofMillis(300), Duration.ZERO));

        assertThat(outcome.accepted()).as(outcome.refusal()).isTrue();
        await(
                "progress at the new pace",
                e -> e instanceof EngineEvent.ProgressReported p
                        && p.progress().pause().isZero()
                        && Duration.ofMillis(300).equals(p.progress().target()),
                session);
        assertThat(end(session).exitCode()).isEqualTo(dev.lockstep.ExitCode.DONE);
        assertThat(events)
                .filteredOn(e ->
                        e instanceof EngineEvent.DecisionMade d && d.decision().equals("retune"))
                .singleElement()
                .satisfies(e -> assertThat(((EngineEvent.DecisionMade) e).detail())
                        .contains("batch target none (fixed 200 keys) -> 300ms")
                        .contains("pause 50ms -> 0ms")
                        .contains("within 100..200 keys"));
        assertThat(EngineDatabase.queryLong("select count(*) from rs_tune where n <> 1"))
                .isZero();
    }

    @Test
    void stopEndsAtASafePointAndResumableWithTheOperatorsReason() throws Exception {
        EngineDatabase.counterTable("rs_stop", 20_000);
        RunSession session = prepare("T-rs-stop", NO_CRITERIA, fill("rs_stop", 200, "20ms"));
        session.start(Operator.UNATTENDED, events::add);
        await("a batch", e -> e instanceof EngineEvent.BatchCommitted, session);

        assertThat(session.send(new Command.Stop(ACTOR, "window closing")).accepted())
                .isTrue();
        RunResult result = end(session);

        assertThat(result.exitCode()).isEqualTo(dev.lockstep.ExitCode.STOPPED);
        assertThat(result.message()).contains("stopped by " + ACTOR + ": window closing");
        assertThat(session.view().outcome().state()).isEqualTo(RunState.STOPPED);
        assertThat(session.send(new Command.Resume(ACTOR, "late")).accepted()).isFalse();
        long batches = EngineDatabase.committedBatches("T-rs-stop");
        assertThat(EngineDatabase.queryLong("select count(*) from rs_stop where n = 1"))
                .as("exactly the committed batches, once")
                .isEqualTo(batches * 200);
    }

    @Test
    void abortCancelsTheStatementInFlight() throws Exception {
        RunSession session = prepare(
                "T-rs-abort",
                NO_CRITERIA,
                """
                - id: slow
                  kind: sql
                  sql: select pg_sleep(120)
                """);
        session.start(Operator.UNATTENDED, events::add);
        await(
                "the slow step",
                e -> e instanceof EngineEvent.StepStarted s && s.step().equals("slow"),
                session);
        await(
                "the statement in flight",
                e -> {
                    try {
                        return EngineDatabase.queryLong("select count(*) from pg_stat_activity where query like"
                                        + " 'select pg_sleep(120)%' and state = 'active'")
                                > 0;
                    } catch (Exception failure) {
                        throw new IllegalStateException(failure);
                    }
                },
                session);

        assertThat(session.send(new Command.Abort(ACTOR, "wrong server")).accepted())
                .isTrue();
        RunResult result = end(session);

        assertThat(result.exitCode()).isEqualTo(dev.lockstep.ExitCode.STOPPED);
        assertThat(result.message()).contains("aborted by " + ACTOR + ": wrong server");
        assertThat(events).anySatisfy(e -> assertThat(e)
                .isInstanceOfSatisfying(EngineEvent.StopRequested.class, stop -> assertThat(stop.abort())
                        .isTrue()));
    }

    @Test
    void commandsThatCannotActAreRefusedWithTheReason() throws Exception {
        RunSession session = prepare(
                "T-rs-refuse",
                NO_CRITERIA,
                """
                - id: wait-a-little
                  kind: wait
                  sql: select exists (select 1 from rs_release)
                  interval: 100ms
                  timeout: 1m
                """);
        EngineDatabase.execute("drop table if exists rs_release", "create table rs_release (at timestamptz)");
        session.start(Operator.UNATTENDED, events::add);
        await("the wait step", e -> e instanceof EngineEvent.StepStarted, session);

        assertThat(session.send(new Command.Resume(ACTOR, "nothing paused")).refusal())
                .contains("no operator pause to resume");
        assertThat(session.send(new Command.Retune(ACTOR, "faster", null, Duration.ZERO))
                        .refusal())
                .contains("no backfill is running");
        EngineDatabase.execute("insert into rs_release values (now())");
        assertThat(end(session).exitCode()).isEqualTo(dev.lockstep.ExitCode.DONE);
        assertThat(events).noneMatch(e -> e instanceof EngineEvent.DecisionMade);
    }

    @Test
    void breachesAreTypedEveryCriterionsStatusIsObservedAndTheViewShowsTheQuestionPending() throws Exception {
        // given: a criterion on a flag table that the test raises and lowers, and an approval to answer
        EngineDatabase.execute("drop table if exists rs_flag", "create table rs_flag (raised int)");
        EngineDatabase.counterTable("rs_view", 4_000);
        RunSession session = prepare(
                "T-rs-view",
                """
                - id: flag
                  signal: { sql: "select count(*) from rs_flag" }
                  above: 0
                  action: pause
                  auto_resume: true
                """,
                """
                - id: go
                  kind: approval
                  prompt: Flag checked?
                """
                        + fill("rs_view", 100, "20ms"));
        CompletableFuture<Question> asked = new CompletableFuture<>();
        CompletableFuture<Optional<Operator.Answer>> answer = new CompletableFuture<>();
        Operator operator = new Operator() {
            public boolean attended() {
                return true;
            }

            public Optional<Answer> ask(Question question) {
                asked.complete(question);
                try {
                    return answer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        session.start(operator, events::add);

        // when / then: the question is pending in the view until answered
        Question question = asked.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(question.kind()).isEqualTo(Question.Kind.APPROVAL);
        assertThat(question.available()).extracting(Question.Choice::id).containsExactly("approve", "refuse");
        assertThat(session.view().question()).isEqualTo(question);
        answer.complete(Optional.of(new Operator.Answer("approve", ACTOR, "flag is down")));
        await("two batches", e -> e instanceof EngineEvent.BatchCommitted b && b.batch() >= 2, session);
        assertThat(session.view().question()).isNull();

        EngineDatabase.execute("insert into rs_flag values (1)");
        await("the breach", e -> e instanceof EngineEvent.Breach, session);
        EngineEvent.Breach breach = (EngineEvent.Breach) events.stream()
                .filter(e -> e instanceof EngineEvent.Breach)
                .findFirst()
                .orElseThrow();
        assertThat(breach.criterion()).isEqualTo("flag");
        assertThat(breach.change().signal()).isEqualTo("sql:flag");
        assertThat(breach.change().reading()).isEqualTo(SignalReading.of(1));
        assertThat(breach.change().threshold()).isZero();
        await(
                "the pause",
                e -> e instanceof EngineEvent.StateChanged s && s.to() == RunState.PAUSED && "flag".equals(s.by()),
                session);
        assertThat(session.view().criteria()).singleElement().satisfies(status -> assertThat(status.state())
                .isEqualTo(CriterionState.BREACHED));
        assertThat(session.view().snapshot()).isNotNull();
        assertThat(session.view().snapshot().primary().reachable()).isTrue();
        EngineDatabase.execute("delete from rs_flag");

        assertThat(end(session).exitCode()).isEqualTo(dev.lockstep.ExitCode.DONE);
        RunView view = session.view();
        assertThat(view.steps())
                .extracting(RunView.StepView::id, RunView.StepView::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("go", RunView.StepStatus.OK),
                        org.assertj.core.groups.Tuple.tuple("fill", RunView.StepStatus.OK));
        assertThat(view.changes().get("flag").kind()).isEqualTo(dev.lockstep.criteria.CriterionEvent.Kind.CLEAR);
        assertThat(Files.readString(session.timelineFile()))
                .contains("\"signal\":\"sql:flag\"")
                .contains("\"comparison\":\">\"")
                .doesNotContain("\"type\":\"observed\"")
                .doesNotContain("\"type\":\"ask\"");
    }

    private int indexOf(Predicate<EngineEvent> wanted) {
        for (int i = 0; i < events.size(); i++) {
            if (wanted.test(events.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such event");
    }
}
