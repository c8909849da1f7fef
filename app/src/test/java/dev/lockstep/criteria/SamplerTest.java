package dev.lockstep.criteria;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.Poll;
import dev.lockstep.runbook.StopAction;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SandboxExtension.class)
class SamplerTest {

    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final Sampler.Settings FAST =
            Sampler.Settings.defaults().withInterval(Duration.ofMillis(20)).withStaleAfter(Duration.ofSeconds(30));
    private static final SignalRef LOCK_WAIT = SignalRef.builtIn(Signals.LOCK_WAIT_SECONDS);

    private final List<CriterionEvent> transitions = new CopyOnWriteArrayList<>();
    private final Sampler.Listener recorder = (event, verdict) -> transitions.add(event);

    private static Verdict pollUntil(Sampler sampler, Predicate<Verdict> condition) {
        return Poll.until(DEADLINE, sampler::currentVerdict, condition, "the sampler's verdict");
    }

    private static SignalSource customSql(CustomSqlSignals signals, Connection monitoring) {
        return SignalSource.of(signals.signals(), () -> signals.read(monitoring));
    }

    private static SignalSource lockWaitOf(AtomicReference<Double> value) {
        return SignalSource.of(
                Set.of(Signals.LOCK_WAIT_SECONDS),
                () -> Map.of(Signals.LOCK_WAIT_SECONDS, SignalReading.of(value.get())));
    }

    @Test
    void aBreachOfACustomSqlSignalReachesTheVerdictAndTheListener(Sandbox sandbox) throws Exception {
        try (Connection setup = sandbox.connectPrimary();
                Statement statement = setup.createStatement();
                Connection monitoring = sandbox.connectPrimary()) {
            statement.execute("create table if not exists sampler_flag (raised boolean)");
            statement.execute("truncate sampler_flag");
            Criterion flagRaised = Criterion.above(
                            "flag", SignalRef.sql("flag", "select count(*) from sampler_flag"), 0, StopAction.PAUSE)
                    .withAutoResume(true);
            StopCriteriaEvaluator evaluator = new StopCriteriaEvaluator(List.of(flagRaised));
            try (Sampler sampler = new Sampler(
                    evaluator,
                    List.of(customSql(new CustomSqlSignals(evaluator.sqlSignals()), monitoring)),
                    recorder,
                    FAST)) {
                sampler.start();
                Verdict before = sampler.currentVerdict();

                statement.execute("insert into sampler_flag values (true)");
                Verdict paused = sampler.awaitChange(before, DEADLINE);
                statement.execute("truncate sampler_flag");
                Verdict resumed = sampler.awaitChange(paused, DEADLINE);

                assertThat(before.directive()).isEmpty();
                assertThat(paused.directive()).contains(StopAction.PAUSE);
                assertThat(paused.breached()).containsExactly("flag");
                assertThat(resumed.directive()).as(resumed.summary()).isEmpty();
                assertThat(transitions)
                        .extracting(CriterionEvent::kind, CriterionEvent::reading)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple(CriterionEvent.Kind.BREACH, SignalReading.of(1)),
                                org.assertj.core.groups.Tuple.tuple(CriterionEvent.Kind.CLEAR, SignalReading.of(0)));
            }
            statement.execute("drop table sampler_flag");
        }
    }

    @Test
    void aSourceThatThrowsMakesItsSignalsUnknownAndTheSamplingGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        SignalSource failing = SignalSource.of(Set.of(Signals.LOCK_WAIT_SECONDS), () -> {
            if (calls.incrementAndGet() > 1) {
                throw new IllegalStateException("probe crashed");
            }
            return Map.of(Signals.LOCK_WAIT_SECONDS, SignalReading.of(0));
        });
        StopCriteriaEvaluator evaluator =
                new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.ABORT)));
        try (Sampler sampler = new Sampler(evaluator, List.of(failing), recorder, FAST)) {
            sampler.start();

            Verdict aborted = pollUntil(sampler, verdict -> verdict.directs(StopAction.ABORT));

            assertThat(aborted.directive()).contains(StopAction.ABORT);
            assertThat(transitions).singleElement().satisfies(event -> assertThat(event.reading())
                    .isEqualTo(SignalReading.unknown(
                            "reading the signal failed: java.lang.IllegalStateException: probe crashed")));
            int callsSoFar = calls.get();
            assertThat(pollUntil(sampler, verdict -> calls.get() > callsSoFar + 2))
                    .as("still sampling")
                    .isNotNull();
            assertThat(calls.get()).isGreaterThan(callsSoFar + 2);
        }
    }

    @Test
    void aStuckSourceMakesTheVerdictFailClosed() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        SignalSource hanging = SignalSource.of(Set.of(Signals.LOCK_WAIT_SECONDS), () -> {
            if (calls.incrementAndGet() > 1) {
                try {
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Map.of(Signals.LOCK_WAIT_SECONDS, SignalReading.of(0));
        });
        StopCriteriaEvaluator evaluator =
                new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)));
        Sampler.Settings staleQuickly = FAST.withStaleAfter(Duration.ofMillis(200));
        try (Sampler sampler = new Sampler(evaluator, List.of(hanging), recorder, staleQuickly)) {
            sampler.start();
            Verdict first = sampler.currentVerdict();

            Verdict stale = sampler.awaitChange(first, DEADLINE);

            assertThat(first.directive()).isEmpty();
            assertThat(stale.directive()).contains(StopAction.PAUSE);
            assertThat(stale.statuses().get(0).reading().describe())
                    .matches("unknown \\(no signal sample for \\d+s: a monitoring query does not return\\)");
            unblock.countDown();
        }
    }

    @Test
    void aFailingListenerDoesNotStopTheSampling() throws Exception {
        AtomicReference<Double> lockWait = new AtomicReference<>(0.0);
        Sampler.Listener throwing = (event, verdict) -> {
            throw new IllegalStateException("renderer broke");
        };
        StopCriteriaEvaluator evaluator = new StopCriteriaEvaluator(List.of(
                Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE).withAutoResume(true)));
        try (Sampler sampler = new Sampler(evaluator, List.of(lockWaitOf(lockWait)), throwing, FAST)) {
            sampler.start();

            lockWait.set(9.0);
            Verdict paused = pollUntil(sampler, verdict -> verdict.directs(StopAction.PAUSE));
            lockWait.set(0.0);
            Verdict resumed = pollUntil(sampler, verdict -> verdict.directive().isEmpty());

            assertThat(paused.directive()).contains(StopAction.PAUSE);
            assertThat(resumed.directive()).isEmpty();
        }
    }

    @Test
    void theOperatorReleasesAHeldPauseThroughTheSampler() throws Exception {
        AtomicReference<Double> lockWait = new AtomicReference<>(9.0);
        StopCriteriaEvaluator evaluator =
                new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)));
        try (Sampler sampler = new Sampler(evaluator, List.of(lockWaitOf(lockWait)), recorder, FAST)) {
            sampler.start();
            Verdict paused = sampler.currentVerdict();

            lockWait.set(0.0);
            Verdict held = sampler.awaitChange(paused, DEADLINE);
            List<String> released = sampler.release();

            assertThat(paused.breached()).containsExactly("lock-queue");
            assertThat(held.awaitingOperator()).isTrue();
            assertThat(released).containsExactly("lock-queue");
            assertThat(sampler.currentVerdict().directive()).isEmpty();
        }
    }

    @Test
    void aClosedSamplerNoLongerKeepsAWaiterWaiting() throws Exception {
        StopCriteriaEvaluator evaluator = new StopCriteriaEvaluator(List.of());
        Sampler sampler = new Sampler(evaluator, List.of(), recorder, FAST);
        sampler.start();
        Verdict seen = sampler.currentVerdict();

        sampler.close();

        assertThat(sampler.awaitChange(seen, Duration.ofHours(1))).isSameAs(seen);
    }
}
