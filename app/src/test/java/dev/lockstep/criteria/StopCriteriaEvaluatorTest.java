package dev.lockstep.criteria;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockstep.criteria.CriterionEvent.Kind;
import dev.lockstep.runbook.StopAction;
import dev.lockstep.runbook.UnknownPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class StopCriteriaEvaluatorTest {

    private static final Instant T0 = Instant.parse("2026-11-20T01:00:00Z");
    private static final SignalRef LOCK_WAIT = SignalRef.builtIn(Signals.LOCK_WAIT_SECONDS);
    private static final SignalRef LAG = SignalRef.builtIn(Signals.REPLICATION_LAG_SECONDS);
    private static final SignalRef WINDOW = SignalRef.builtIn(Signals.WINDOW_REMAINING);

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    private static Map<String, SignalReading> lockWait(double seconds) {
        return Map.of(Signals.LOCK_WAIT_SECONDS, SignalReading.of(seconds));
    }

    private static Map<String, SignalReading> lockWaitUnknown() {
        return Map.of(Signals.LOCK_WAIT_SECONDS, SignalReading.unknown("query timed out after 2s"));
    }

    private static CriterionState stateOf(Evaluation evaluation, String id) {
        return evaluation.verdict().statuses().stream()
                .filter(status -> status.id().equals(id))
                .findFirst()
                .orElseThrow()
                .state();
    }

    @Nested
    class Debounce {
        private final StopCriteriaEvaluator evaluator = new StopCriteriaEvaluator(List.of(
                Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE).withDebounce(Duration.ofSeconds(3))));

        @Test
        void breachesOnlyOnceTheSignalHasStayedAboveForTheWholeDuration() {
            assertThat(evaluator.evaluate(at(0), lockWait(6)).events()).isEmpty();
            assertThat(evaluator.evaluate(at(1), lockWait(7)).verdict().pending())
                    .containsExactly("lock-queue");
            Evaluation twoSecondsIn = evaluator.evaluate(at(2), lockWait(8));
            assertThat(twoSecondsIn.events()).isEmpty();
            assertThat(twoSecondsIn.verdict().directive()).isEmpty();

            Evaluation threeSecondsIn = evaluator.evaluate(at(3), lockWait(9));

            assertThat(threeSecondsIn.verdict().directive()).contains(StopAction.PAUSE);
            assertThat(threeSecondsIn.verdict().breached()).containsExactly("lock-queue");
            assertThat(threeSecondsIn.events())
                    .containsExactly(new CriterionEvent(
                            Kind.BREACH,
                            "lock-queue",
                            "lock_wait_seconds",
                            SignalReading.of(9),
                            Comparison.ABOVE,
                            5,
                            StopAction.PAUSE,
                            at(3)));
        }

        @Test
        void startsOverWhenTheSignalComesBackBeforeTheDurationHasPassed() {
            evaluator.evaluate(at(0), lockWait(6));
            evaluator.evaluate(at(2), lockWait(6));
            Evaluation back = evaluator.evaluate(at(3), lockWait(5));
            assertThat(stateOf(back, "lock-queue")).isEqualTo(CriterionState.OK);

            evaluator.evaluate(at(4), lockWait(6));
            Evaluation sixSecondsAfterTheFirstSample = evaluator.evaluate(at(6), lockWait(6));

            assertThat(sixSecondsAfterTheFirstSample.verdict().directive()).isEmpty();
            assertThat(evaluator.evaluate(at(7), lockWait(6)).verdict().directive())
                    .contains(StopAction.PAUSE);
        }

        @Test
        void zeroDurationBreachesOnTheFirstSample() {
            StopCriteriaEvaluator immediate =
                    new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)));

            Evaluation first = immediate.evaluate(at(0), lockWait(5.5));

            assertThat(first.verdict().directive()).contains(StopAction.PAUSE);
            assertThat(first.events()).extracting(CriterionEvent::kind).containsExactly(Kind.BREACH);
        }

        @Test
        void aValueEqualToTheThresholdDoesNotTrip() {
            StopCriteriaEvaluator immediate =
                    new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)));

            assertThat(immediate.evaluate(at(0), lockWait(5)).verdict().directive())
                    .isEmpty();
        }
    }

    @Nested
    class Hysteresis {
        private final StopCriteriaEvaluator evaluator =
                new StopCriteriaEvaluator(List.of(Criterion.above("standby-lag", LAG, 30, StopAction.PAUSE)
                        .withClearThreshold(10)
                        .withAutoResume(true)));

        private Map<String, SignalReading> lag(double seconds) {
            return Map.of(Signals.REPLICATION_LAG_SECONDS, SignalReading.of(seconds));
        }

        @Test
        void staysBreachedBetweenTheClearAndTheTripThreshold() {
            evaluator.evaluate(at(0), lag(31));

            Evaluation inTheBand = evaluator.evaluate(at(1), lag(20));
            Evaluation justAboveTheClearValue = evaluator.evaluate(at(2), lag(10.5));

            assertThat(inTheBand.verdict().directive()).contains(StopAction.PAUSE);
            assertThat(inTheBand.events()).isEmpty();
            assertThat(justAboveTheClearValue.verdict().directive()).contains(StopAction.PAUSE);
        }

        @Test
        void clearsBelowTheClearThresholdAndSaysSo() {
            evaluator.evaluate(at(0), lag(31));

            Evaluation cleared = evaluator.evaluate(at(5), lag(10));

            assertThat(cleared.verdict().directive()).isEmpty();
            assertThat(cleared.events())
                    .containsExactly(new CriterionEvent(
                            Kind.CLEAR,
                            "standby-lag",
                            "replication_lag_seconds",
                            SignalReading.of(10),
                            Comparison.ABOVE,
                            10,
                            StopAction.PAUSE,
                            at(5)));
        }

        @Test
        void theClearThresholdDefaultsToTheTripThreshold() {
            Criterion criterion = Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.THROTTLE);
            StopCriteriaEvaluator defaults = new StopCriteriaEvaluator(List.of(criterion));
            defaults.evaluate(at(0), lockWait(6));

            assertThat(criterion.clearThreshold()).isEqualTo(5);
            assertThat(defaults.evaluate(at(1), lockWait(5.1)).verdict().directive())
                    .contains(StopAction.THROTTLE);
            assertThat(defaults.evaluate(at(2), lockWait(5)).verdict().directive())
                    .as("without a clear threshold, whatever does not trip clears")
                    .isEmpty();
        }

        @Test
        void aCountAboveZeroClearsWhenItIsBackToZero() {
            StopCriteriaEvaluator anyError = new StopCriteriaEvaluator(List.of(Criterion.above(
                            "any-error", SignalRef.sql("errors", "select count(*) from app_error"), 0, StopAction.PAUSE)
                    .withAutoResume(true)));

            anyError.evaluate(at(0), Map.of("sql:errors", SignalReading.of(1)));
            Evaluation backToZero = anyError.evaluate(at(1), Map.of("sql:errors", SignalReading.of(0)));

            assertThat(backToZero.events()).extracting(CriterionEvent::kind).containsExactly(Kind.CLEAR);
            assertThat(backToZero.verdict().directive()).isEmpty();
        }

        @Test
        void belowCriteriaClearAboveTheirClearThreshold() {
            StopCriteriaEvaluator window = new StopCriteriaEvaluator(List.of(
                    Criterion.below("window", WINDOW, 600, StopAction.PAUSE).withClearThreshold(900)));

            Evaluation breached = window.evaluate(at(0), Map.of(Signals.WINDOW_REMAINING, SignalReading.of(599)));
            Evaluation inTheBand = window.evaluate(at(1), Map.of(Signals.WINDOW_REMAINING, SignalReading.of(700)));
            Evaluation cleared = window.evaluate(at(2), Map.of(Signals.WINDOW_REMAINING, SignalReading.of(900)));

            assertThat(breached.events()).singleElement().satisfies(event -> {
                assertThat(event.kind()).isEqualTo(Kind.BREACH);
                assertThat(event.describe()).isEqualTo("breach window: window_remaining 599 < 600 (pause)");
            });
            assertThat(inTheBand.verdict().breached()).containsExactly("window");
            assertThat(cleared.events()).singleElement().satisfies(event -> {
                assertThat(event.threshold()).isEqualTo(900);
                assertThat(event.describe()).isEqualTo("clear window: window_remaining 900 >= 900 (pause)");
            });
            assertThat(cleared.verdict().held()).containsExactly("window");
        }

        @Test
        void aClearThresholdOnTheBadSideIsRejected() {
            Criterion criterion = Criterion.above("standby-lag", LAG, 30, StopAction.PAUSE);

            assertThatThrownBy(() -> criterion.withClearThreshold(31))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("stop criterion 'standby-lag': clear_below 31 must not be above the trip threshold 30");
        }
    }

    @Nested
    class UnknownReadings {

        @Test
        void breachUnderTheDefaultPolicyWithTheReasonInTheEvent() {
            StopCriteriaEvaluator evaluator =
                    new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)));

            Evaluation unknown = evaluator.evaluate(at(0), lockWaitUnknown());

            assertThat(unknown.verdict().directive()).contains(StopAction.PAUSE);
            assertThat(unknown.events()).singleElement().satisfies(event -> {
                assertThat(event.reading()).isEqualTo(SignalReading.unknown("query timed out after 2s"));
                assertThat(event.describe())
                        .isEqualTo("breach lock-queue: lock_wait_seconds unknown (query timed out after 2s) (pause)");
            });
        }

        @Test
        void keepABreachInForceUnderTheDefaultPolicy() {
            StopCriteriaEvaluator evaluator = new StopCriteriaEvaluator(
                    List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.THROTTLE)));
            evaluator.evaluate(at(0), lockWait(9));

            assertThat(evaluator.evaluate(at(1), lockWaitUnknown()).verdict().directive())
                    .contains(StopAction.THROTTLE);
        }

        @Test
        void countTowardsTheDebounceUnderTheDefaultPolicy() {
            StopCriteriaEvaluator evaluator =
                    new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)
                            .withDebounce(Duration.ofSeconds(2))));

            evaluator.evaluate(at(0), lockWaitUnknown());
            evaluator.evaluate(at(1), lockWait(7));

            assertThat(evaluator.evaluate(at(2), lockWaitUnknown()).verdict().directive())
                    .contains(StopAction.PAUSE);
        }

        @Test
        void aSignalNoSourceSuppliesIsUnknown() {
            StopCriteriaEvaluator evaluator =
                    new StopCriteriaEvaluator(List.of(Criterion.above("standby-lag", LAG, 30, StopAction.PAUSE)));

            Evaluation evaluation = evaluator.evaluate(at(0), lockWait(0));

            assertThat(evaluation.events()).singleElement().satisfies(event -> assertThat(event.reading())
                    .isEqualTo(SignalReading.unknown("no source supplies signal replication_lag_seconds")));
        }

        @Test
        void areSkippedUnderIgnoreSoTheStateHolds() {
            StopCriteriaEvaluator evaluator =
                    new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)
                            .withUnknownPolicy(UnknownPolicy.IGNORE)
                            .withAutoResume(true)));

            Evaluation okThenUnknown = evaluator.evaluate(at(0), lockWaitUnknown());
            assertThat(okThenUnknown.verdict().directive()).isEmpty();
            assertThat(okThenUnknown.verdict().statuses().get(0).reading().isKnown())
                    .as("the status still shows the unknown reading")
                    .isFalse();

            evaluator.evaluate(at(1), lockWait(6));
            Evaluation breachedThenUnknown = evaluator.evaluate(at(2), lockWaitUnknown());

            assertThat(breachedThenUnknown.verdict().directive()).contains(StopAction.PAUSE);
            assertThat(breachedThenUnknown.events()).isEmpty();
        }

        @Test
        void holdAPendingDebounceUnderIgnore() {
            StopCriteriaEvaluator evaluator =
                    new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)
                            .withDebounce(Duration.ofSeconds(3))
                            .withUnknownPolicy(UnknownPolicy.IGNORE)));

            evaluator.evaluate(at(0), lockWait(6));
            Evaluation unknown = evaluator.evaluate(at(2), lockWaitUnknown());

            assertThat(unknown.verdict().pending()).containsExactly("lock-queue");
            assertThat(evaluator.evaluate(at(3), lockWait(6)).verdict().directive())
                    .contains(StopAction.PAUSE);
        }

        @Test
        void nonFiniteValuesAreUnknown() {
            assertThat(SignalReading.of(Double.NaN)).isInstanceOf(SignalReading.Unknown.class);
            assertThat(SignalReading.of(Double.POSITIVE_INFINITY).describe())
                    .isEqualTo("unknown (the value is not a finite number (Infinity))");
        }
    }

    @Nested
    class PauseAndResume {

        @Test
        void anAutoResumingPauseLiftsWhenItsSignalClears() {
            StopCriteriaEvaluator evaluator =
                    new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)
                            .withAutoResume(true)));

            Verdict paused = evaluator.evaluate(at(0), lockWait(6)).verdict();
            Verdict resumed = evaluator.evaluate(at(1), lockWait(1)).verdict();

            assertThat(paused.resumesAutomatically()).isTrue();
            assertThat(paused.awaitingOperator()).isFalse();
            assertThat(resumed.directive()).isEmpty();
        }

        @Test
        void aPauseWithoutAutoResumeIsHeldForTheOperatorAfterItClears() {
            StopCriteriaEvaluator evaluator =
                    new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)));

            Verdict paused = evaluator.evaluate(at(0), lockWait(6)).verdict();
            Evaluation cleared = evaluator.evaluate(at(1), lockWait(1));

            assertThat(paused.resumesAutomatically()).isFalse();
            assertThat(paused.awaitingOperator()).isFalse();
            assertThat(cleared.events()).extracting(CriterionEvent::kind).containsExactly(Kind.CLEAR);
            assertThat(cleared.verdict().directive()).contains(StopAction.PAUSE);
            assertThat(cleared.verdict().held()).containsExactly("lock-queue");
            assertThat(cleared.verdict().awaitingOperator()).isTrue();
            assertThat(cleared.verdict().summary())
                    .isEqualTo("pause: lock-queue (lock_wait_seconds 1, cleared, held for the operator)");

            assertThat(evaluator.release()).containsExactly("lock-queue");
            assertThat(evaluator.lastVerdict().orElseThrow().directive()).isEmpty();
            assertThat(evaluator.evaluate(at(2), lockWait(1)).verdict().directive())
                    .isEmpty();
        }

        @Test
        void aHeldCriterionWhoseSignalRelapsesBreachesAgainAtOnce() {
            StopCriteriaEvaluator evaluator =
                    new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)
                            .withDebounce(Duration.ofSeconds(10))));
            evaluator.evaluate(at(0), lockWait(6));
            evaluator.evaluate(at(10), lockWait(6));
            evaluator.evaluate(at(11), lockWait(1));

            Evaluation relapse = evaluator.evaluate(at(12), lockWait(6));

            assertThat(relapse.events()).extracting(CriterionEvent::kind).containsExactly(Kind.BREACH);
            assertThat(relapse.verdict().breached()).containsExactly("lock-queue");
            assertThat(evaluator.evaluate(at(13), lockWait(1)).verdict().held()).containsExactly("lock-queue");
        }

        @Test
        void releaseLeavesCriteriaThatAreStillBreachedAlone() {
            StopCriteriaEvaluator evaluator =
                    new StopCriteriaEvaluator(List.of(Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)));
            evaluator.evaluate(at(0), lockWait(6));

            assertThat(evaluator.release()).isEmpty();
            assertThat(evaluator.lastVerdict().orElseThrow().directive()).contains(StopAction.PAUSE);
        }

        @Test
        void resumesAutomaticallyOnlyWhenEveryPausingCriterionAllowsIt() {
            StopCriteriaEvaluator evaluator = new StopCriteriaEvaluator(List.of(
                    Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE)
                            .withAutoResume(true),
                    Criterion.above("standby-lag", LAG, 30, StopAction.PAUSE)));

            Verdict onlyTheAutoResumingOne = evaluator
                    .evaluate(
                            at(0),
                            Map.of(
                                    Signals.LOCK_WAIT_SECONDS, SignalReading.of(6),
                                    Signals.REPLICATION_LAG_SECONDS, SignalReading.of(0)))
                    .verdict();
            Verdict both = evaluator
                    .evaluate(
                            at(1),
                            Map.of(
                                    Signals.LOCK_WAIT_SECONDS, SignalReading.of(6),
                                    Signals.REPLICATION_LAG_SECONDS, SignalReading.of(31)))
                    .verdict();
            Verdict lagClearedButHeld = evaluator
                    .evaluate(
                            at(2),
                            Map.of(
                                    Signals.LOCK_WAIT_SECONDS, SignalReading.of(6),
                                    Signals.REPLICATION_LAG_SECONDS, SignalReading.of(0)))
                    .verdict();
            Verdict allCleared = evaluator
                    .evaluate(
                            at(3),
                            Map.of(
                                    Signals.LOCK_WAIT_SECONDS, SignalReading.of(0),
                                    Signals.REPLICATION_LAG_SECONDS, SignalReading.of(0)))
                    .verdict();

            assertThat(onlyTheAutoResumingOne.resumesAutomatically()).isTrue();
            assertThat(both.resumesAutomatically()).isFalse();
            assertThat(lagClearedButHeld.resumesAutomatically()).isFalse();
            assertThat(lagClearedButHeld.awaitingOperator())
                    .as("lock-queue is still breached")
                    .isFalse();
            assertThat(allCleared.directive()).contains(StopAction.PAUSE);
            assertThat(allCleared.awaitingOperator()).isTrue();
            assertThat(allCleared.held()).containsExactly("standby-lag");
        }

        @Test
        void autoResumeOnAnythingButAPauseIsRejected() {
            Criterion abort =
                    Criterion.above("app-errors", SignalRef.sql("app-errors", "select 1"), 50, StopAction.ABORT);

            assertThatThrownBy(() -> abort.withAutoResume(true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("stop criterion 'app-errors': auto_resume applies to pause only, the action is abort");
        }
    }

    @Nested
    class SeveralCriteria {
        private final Criterion throttleOnLockWait = Criterion.above("slow-down", LOCK_WAIT, 1, StopAction.THROTTLE);
        private final Criterion pauseOnLockWait =
                Criterion.above("lock-queue", LOCK_WAIT, 5, StopAction.PAUSE).withAutoResume(true);
        private final Criterion abortOnErrors = Criterion.above(
                "app-errors", SignalRef.sql("app-errors", "select count(*) from app_error"), 50, StopAction.ABORT);
        private final StopCriteriaEvaluator evaluator =
                new StopCriteriaEvaluator(List.of(throttleOnLockWait, pauseOnLockWait, abortOnErrors));

        private Map<String, SignalReading> readings(double lockWait, double errors) {
            return Map.of(
                    Signals.LOCK_WAIT_SECONDS, SignalReading.of(lockWait), "sql:app-errors", SignalReading.of(errors));
        }

        @Test
        void theStrongestActionInForceWins() {
            Verdict calm = evaluator.evaluate(at(0), readings(0, 0)).verdict();
            Verdict throttled = evaluator.evaluate(at(1), readings(2, 0)).verdict();
            Evaluation paused = evaluator.evaluate(at(2), readings(6, 0));
            Evaluation aborted = evaluator.evaluate(at(3), readings(6, 51));

            assertThat(calm.directive()).isEmpty();
            assertThat(calm.throttle()).isEqualTo(Throttle.NONE);
            assertThat(throttled.directive()).contains(StopAction.THROTTLE);
            assertThat(throttled.throttle()).isEqualTo(Throttle.DEFAULT);
            assertThat(paused.verdict().directive()).contains(StopAction.PAUSE);
            assertThat(paused.verdict().breached()).containsExactly("slow-down", "lock-queue");
            assertThat(paused.verdict().throttle())
                    .as("the throttle stays known under the pause, so lifting the pause does not speed up")
                    .isEqualTo(Throttle.DEFAULT);
            assertThat(aborted.verdict().directive()).contains(StopAction.ABORT);
            assertThat(aborted.verdict().breached()).containsExactly("slow-down", "lock-queue", "app-errors");
            assertThat(aborted.events()).singleElement().satisfies(event -> {
                assertThat(event.criterionId()).isEqualTo("app-errors");
                assertThat(event.signal()).isEqualTo("sql:app-errors");
                assertThat(event.action()).isEqualTo(StopAction.ABORT);
            });
        }

        @Test
        void anAbortStaysInForceAfterItsSignalClears() {
            evaluator.evaluate(at(0), readings(0, 51));

            Evaluation errorsGone = evaluator.evaluate(at(1), readings(0, 0));

            assertThat(errorsGone.events()).extracting(CriterionEvent::kind).containsExactly(Kind.CLEAR);
            assertThat(errorsGone.verdict().directive()).contains(StopAction.ABORT);
            assertThat(errorsGone.verdict().held()).containsExactly("app-errors");
        }

        @Test
        void eventsComeInRunbookOrderAndStepDownOneByOne() {
            Evaluation all = evaluator.evaluate(at(0), readings(6, 0));
            Evaluation pauseCleared = evaluator.evaluate(at(1), readings(2, 0));
            Evaluation throttleCleared = evaluator.evaluate(at(2), readings(0.5, 0));

            assertThat(all.events()).extracting(CriterionEvent::criterionId).containsExactly("slow-down", "lock-queue");
            assertThat(pauseCleared.events())
                    .extracting(CriterionEvent::criterionId)
                    .containsExactly("lock-queue");
            assertThat(pauseCleared.verdict().directive()).contains(StopAction.THROTTLE);
            assertThat(throttleCleared.verdict().directive()).isEmpty();
        }

        @Test
        void sameOutcomeIgnoresReadingsAndTimeButNotStates() {
            Verdict first = evaluator.evaluate(at(0), readings(6, 0)).verdict();
            Verdict sameStates = evaluator.evaluate(at(1), readings(7, 1)).verdict();
            Verdict pauseLifted = evaluator.evaluate(at(2), readings(2, 1)).verdict();

            assertThat(first.sameOutcome(sameStates)).isTrue();
            assertThat(first.sameOutcome(pauseLifted)).isFalse();
        }

        @Test
        void theCustomSignalsAreListedOnce() {
            StopCriteriaEvaluator twice = new StopCriteriaEvaluator(List.of(
                    abortOnErrors, Criterion.above("some-errors", abortOnErrors.signal(), 10, StopAction.THROTTLE)));

            assertThat(twice.sqlSignals()).containsExactly((SignalRef.Sql) abortOnErrors.signal());
        }

        @Test
        void duplicateIdsAreRejected() {
            assertThatThrownBy(() -> new StopCriteriaEvaluator(List.of(pauseOnLockWait, pauseOnLockWait)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("duplicate stop criterion id 'lock-queue'");
        }

        @Test
        void oneCustomSignalNameWithTwoQueriesIsRejected() {
            Criterion other = Criterion.above(
                    "more-errors", SignalRef.sql("app-errors", "select count(*) from other"), 1, StopAction.PAUSE);

            assertThatThrownBy(() -> new StopCriteriaEvaluator(List.of(abortOnErrors, other)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("custom signal 'app-errors' is defined twice with different queries");
        }

        @Test
        void noCriteriaMeansProceed() {
            Verdict verdict = new StopCriteriaEvaluator(List.of())
                    .evaluate(at(0), Map.of())
                    .verdict();

            assertThat(verdict.directive()).isEmpty();
            assertThat(verdict.summary()).isEqualTo("proceed");
        }
    }

    @Test
    void anUnknownBuiltInSignalNameIsRejectedWithTheKnownOnes() {
        assertThatThrownBy(() -> SignalRef.builtIn("lock_waits"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown signal 'lock_waits'; built-in signals are batch_seconds, ");
    }

    @Test
    void everyNamedSignalIsABuiltInOfTheRunbookFormat() throws IllegalAccessException {
        for (java.lang.reflect.Field field : Signals.class.getFields()) {
            if (field.getType() == String.class) {
                assertThat(Signals.BUILT_IN).contains((String) field.get(null));
            }
        }
        assertThat(Signals.BUILT_IN).hasSize(11);
    }
}
