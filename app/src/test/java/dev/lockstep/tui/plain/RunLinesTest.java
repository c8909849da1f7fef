package dev.lockstep.tui.plain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.criteria.Comparison;
import dev.lockstep.criteria.CriterionEvent;
import dev.lockstep.criteria.SignalReading;
import dev.lockstep.criteria.Signals;
import dev.lockstep.engine.BackfillProgress;
import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.EngineEvent.StateChanged.Cause;
import dev.lockstep.engine.RunState;
import dev.lockstep.runbook.StopAction;
import dev.lockstep.tui.Units;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What line mode prints for the events of a long, eventful run, at 80 columns and into a log file. */
class RunLinesTest {

    private static final Instant T0 = Instant.parse("2026-11-21T02:14:00Z");
    private static final String RUNBOOK =
            "CHG-2026-1120-enforcement-case-priority-with-a-long-identifier-for-a-big-team";
    private static final String RUN = "20261121T021400Z-d6b58";
    private static final String STEP = "backfill-open-enforcement-cases-of-the-northern-region-into-priority";
    private static final String SQL_ERROR = "ERROR: duplicate key value violates unique constraint"
            + " \"enforcement_case_priority_region_assignment_unique_idx\"\n  Detail: Key (region_id,"
            + " assignee_id)=(4711, 0f8fad5b-d9cb-469f-a165-70867728950e) already exists.";
    private static final String STOP_MESSAGE = "stopped at step " + STEP + ": SIGINT received: stopped at a safe"
            + " point; the run is resumable (run the same command again)";

    /** A run with everything an operator can meet: failures, a breach with its pause, odd values. */
    private static List<EngineEvent> eventfulRun() {
        List<EngineEvent> events = new ArrayList<>();
        events.add(new EngineEvent.RunOpened(
                at(0),
                RUN,
                RUNBOOK,
                "ab12",
                "enforcement_production_eu_central",
                "oncall-operator@bastion-eu-central-1.example.internal pid 48213",
                true,
                "alice@bastion-eu-central-2.example.internal pid 1234 (heartbeat 93s ago)"));
        events.add(
                new EngineEvent.StateChanged(at(0), RunState.PENDING, RunState.RUNNING, "started", Cause.START, null));
        events.add(new EngineEvent.StepStarted(at(1), "add-priority-column", "sql", 2, true));
        events.add(
                new EngineEvent.StepEnded(at(2), "add-priority-column", 2, "failed", null, 2_004, "23505", SQL_ERROR));
        events.add(new EngineEvent.Verified(
                at(3),
                "add-priority-column",
                "select count(*) from information_schema.columns where column_name = 'priority'",
                false,
                "{ equals: 1 }",
                "0 (information_schema.columns has no priority column on enforcement_case)"));
        events.add(new EngineEvent.StepStarted(at(4), STEP, "backfill", 1, true));
        events.add(new EngineEvent.BatchCommitted(
                at(5),
                STEP,
                123_456,
                "0f8fad5b-d9cb-469f-a165-70867728950e",
                "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                100_000,
                99_987,
                1_234,
                100_000,
                12_345_678_901L,
                9_876_543_210L));
        events.add(progress(at(6), 9_876_543_210L, 12_345_678_901L, 123_456.7, Duration.ofHours(27)));
        events.add(new EngineEvent.Sampled(
                at(7),
                STEP,
                Map.of(
                        Signals.REPLICATION_LAG_SECONDS, 3_723.4,
                        Signals.REPLICATION_LAG_BYTES, 987_654_321_098.0,
                        Signals.LOCK_WAIT_SECONDS, 1_234.5,
                        Signals.BLOCKED_SESSIONS, 1_234.0,
                        Signals.BLOCKED_BY_US, 17.0)));
        events.add(new EngineEvent.Breach(
                at(8),
                new CriterionEvent(
                        CriterionEvent.Kind.BREACH,
                        "standby-lag-over-the-agreed-limit",
                        Signals.REPLICATION_LAG_SECONDS,
                        SignalReading.of(3_723.4),
                        Comparison.ABOVE,
                        30,
                        StopAction.PAUSE,
                        at(8))));
        events.add(new EngineEvent.StateChanged(
                at(8),
                RunState.RUNNING,
                RunState.PAUSED,
                "stop criterion standby-lag-over-the-agreed-limit: pause: standby-lag-over-the-agreed-limit"
                        + " (replication_lag_seconds 3723.4)",
                Cause.CRITERIA,
                "standby-lag-over-the-agreed-limit"));
        events.add(new EngineEvent.Sampled(at(20), STEP, Map.of("rows_per_second", 0.0)));
        events.add(new EngineEvent.Clear(
                at(30),
                new CriterionEvent(
                        CriterionEvent.Kind.CLEAR,
                        "standby-lag-over-the-agreed-limit",
                        Signals.REPLICATION_LAG_SECONDS,
                        SignalReading.of(2.5),
                        Comparison.ABOVE,
                        5,
                        StopAction.PAUSE,
                        at(30))));
        events.add(new EngineEvent.DecisionMade(
                at(31),
                STEP,
                "oncall-operator",
                "resume",
                "standby caught up after the vacuum on the reporting replica ended; checked with lockstep watch"));
        events.add(new EngineEvent.StateChanged(
                at(31), RunState.PAUSED, RunState.RUNNING, "stop criteria clear", Cause.CRITERIA, null));
        events.add(new EngineEvent.StateChanged(
                at(31),
                RunState.RUNNING,
                RunState.PAUSED,
                "checking the reporting replica before the next table",
                Cause.OPERATOR,
                "carol@bastion-7"));
        events.add(new EngineEvent.StateChanged(
                at(32), RunState.PAUSED, RunState.RUNNING, "resumed", Cause.OPERATOR, "carol@bastion-7"));
        events.add(new EngineEvent.ApprovalGiven(
                at(32),
                "confirm-app-version-2026-06-28-is-deployed",
                "oncall-operator",
                "app 2026.06.28 is deployed on every node of the EU cluster (checked the deploy dashboard and"
                        + " the canary's error rate)",
                "prompt"));
        events.add(new EngineEvent.Note(
                at(33), STEP, "batch of 100000 keys hit the statement timeout; batch size now 50000"));
        events.add(new EngineEvent.Recovered(
                at(34), STEP, "reconnected", "control session re-established after 3 attempt(s); lease re-taken"));
        events.add(new EngineEvent.StateChanged(
                at(40), RunState.RUNNING, RunState.STOPPED, STOP_MESSAGE, Cause.OUTCOME, null));
        events.add(new EngineEvent.RunClosed(at(40), RUN, RunState.STOPPED, 4, STOP_MESSAGE));
        return events;
    }

    @Test
    void everyLineOfAnEventfulRunFitsEightyColumnsAndLosesNothing() {
        RunLines runLines = new RunLines(ZoneOffset.UTC, true);

        List<String> lines = new ArrayList<>();
        eventfulRun().forEach(event -> lines.addAll(runLines.render(event, 80)));

        assertThat(lines)
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
        assertThat(lines)
                .allSatisfy(line -> assertThat(line).matches("(\\d\\d:\\d\\d:\\d\\d [A-Za-z ]{7} | {17})\\S.*"));
        String text = joined(lines);
        // wrapped, not cut: the whole SQL error, the reason, the keys and the end message are there
        assertThat(text)
                .contains(Units.clean(SQL_ERROR))
                .contains("0f8fad5b-d9cb-469f-a165-70867728950e")
                .contains("7c9e6679-7425-40de-944b-e07fc1f90ae7")
                .contains("checked the deploy dashboard and the canary's error rate")
                .contains("took over from alice@bastion-eu-central-2.example.internal");
        // the step id is wider than the text column: it is split where the line ends
        assertThat(withoutSpaces(text)).contains(withoutSpaces(STOP_MESSAGE));
    }

    @Test
    void aLogFileGetsOneLinePerEventWithTheSameText() {
        List<String> wrapped = new ArrayList<>();
        List<String> unwrapped = new ArrayList<>();
        RunLines atEighty = new RunLines(ZoneOffset.UTC, true);
        RunLines inALog = new RunLines(ZoneOffset.UTC, true);

        for (EngineEvent event : eventfulRun()) {
            wrapped.addAll(atEighty.render(event, 80));
            List<String> lines = inALog.render(event, 0);
            assertThat(lines).as(event.type()).hasSizeLessThanOrEqualTo(1);
            unwrapped.addAll(lines);
        }

        assertThat(unwrapped).anySatisfy(line -> assertThat(line.length()).isGreaterThan(80));
        assertThat(unwrapped).noneMatch(line -> line.startsWith(" "));
        // the same text: wrapping only adds line breaks and the indentation after them
        assertThat(withoutSpaces(joined(unwrapped))).isEqualTo(withoutSpaces(joined(wrapped)));
    }

    private static List<String> runLines(List<EngineEvent> events, int width) {
        RunLines runLines = new RunLines(ZoneOffset.UTC, false);
        List<String> lines = new ArrayList<>();
        events.forEach(event -> lines.addAll(runLines.render(event, width)));
        return lines;
    }

    @Test
    void eachFactIsSaidOnce() {
        RunLines runLines = new RunLines(ZoneOffset.UTC, false);
        List<String> lines = new ArrayList<>();
        eventfulRun().forEach(event -> lines.addAll(runLines.render(event, 80)));
        String text = joined(lines);

        // the breach gives the reading; the pause it causes names the criterion only
        assertThat(occurrences(text, "3723.4")).isEqualTo(1);
        assertThat(text).contains("running -> paused by stop criterion standby-lag-over-the-agreed-limit");
        // an operator's pause names them once, from the event's by, and gives their reason as typed
        String unwrapped = joined(runLines(eventfulRun(), 0));
        assertThat(unwrapped)
                .contains("running -> paused by carol@bastion-7: checking the reporting replica")
                .contains("paused -> running by carol@bastion-7: resumed");
        assertThat(occurrences(unwrapped, "carol@bastion-7")).isEqualTo(2);
        // the end line carries the final message; the state change to stopped does not repeat it
        assertThat(occurrences(text, "the run is resumable")).isEqualTo(1);
        assertThat(occurrences(text, "SIGINT received")).isEqualTo(1);
        // "started" is the start line's news
        assertThat(text).doesNotContain("pending");
        // the clear shows what the signal reads now against its threshold
        assertThat(text).contains("clear   standby-lag-over-the-agreed-limit: replication_lag_seconds 2.5 <= 5");
        assertThat(text).doesNotContain("(pause)");
        for (String line : lines) {
            assertThat(repeatedPhrase(line)).as(line).isNull();
        }
    }

    @Test
    void aDoneRunSaysDoneOnce() {
        RunLines runLines = new RunLines(ZoneOffset.UTC, false);

        List<String> lines = new ArrayList<>();
        lines.addAll(runLines.render(
                new EngineEvent.StateChanged(
                        at(0), RunState.RUNNING, RunState.DONE, "run " + RUN + " done", Cause.OUTCOME, null),
                80));
        lines.addAll(
                runLines.render(new EngineEvent.RunClosed(at(0), RUN, RunState.DONE, 0, "run " + RUN + " done"), 80));

        assertThat(lines).containsExactly("02:14:00 end     run " + RUN + " done, exit 0");
    }

    @Test
    void theStatusLineLeadsWithHowFarHowFastAndWhen() {
        RunLines runLines = new RunLines(ZoneOffset.UTC, false);

        List<String> lines = runLines.render(progressOf(482_000, 1_000_000, 4_812.4, Duration.ofSeconds(107)), 80);

        assertThat(lines)
                .containsExactly("02:14:05 fill    48.2%  482,000/1.0M rows  4,812 rows/s  ETA 1m47s  batch 2,000");
    }

    @Test
    void statusLinesComeEveryFewSecondsAndTheLastOneAlways() {
        RunLines runLines = new RunLines(ZoneOffset.UTC, false);

        assertThat(runLines.render(progress(at(0), 1_000, 10_000, 500, Duration.ofSeconds(18)), 80))
                .isNotEmpty();
        assertThat(runLines.render(progress(at(2), 2_000, 10_000, 500, Duration.ofSeconds(16)), 80))
                .isEmpty();
        assertThat(runLines.render(progress(at(3), 10_000, 10_000, 500, Duration.ZERO), 80))
                .first()
                .asString()
                .contains("100.0%  10,000/10k rows")
                .contains("ETA 0s");
    }

    @Test
    void pauseTimeAndAWindowOverrunAreShownWhenTheyMatter() {
        RunLines runLines = new RunLines(ZoneOffset.UTC, false);
        BackfillProgress late = new BackfillProgress(
                482_000,
                482_000,
                241,
                1_000_000L,
                "runbook",
                4_812,
                4_812,
                Duration.ofMinutes(40),
                at(2_400),
                at(600),
                2_000,
                null,
                Duration.ZERO,
                Duration.ofSeconds(95));

        List<String> lines = runLines.render(new EngineEvent.ProgressReported(at(0), STEP, late), 80);

        assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        assertThat(joined(lines)).contains("paused 1m35s").contains("OVERRUNS WINDOW: ends 02:24, done ~02:54");
    }

    @Test
    void aTotalThatCountsKeysShowsKeysAndRows() {
        RunLines runLines = new RunLines(ZoneOffset.UTC, false);
        BackfillProgress byKeys = new BackfillProgress(
                41_000,
                24_600,
                41,
                200_000L,
                "pg_class.reltuples",
                8_000,
                4_800,
                null,
                null,
                null,
                1_000,
                null,
                Duration.ZERO,
                Duration.ZERO);

        List<String> lines = runLines.render(new EngineEvent.ProgressReported(at(0), STEP, byKeys), 80);

        assertThat(lines)
                .containsExactly(
                        "02:14:00 fill    20.5%  41,000/200k keys  4,800 rows/s  ETA unknown  batch 1,000",
                        "                 24,600 rows");
    }

    @Test
    void aSignalThatCouldNotBeReadReadsUnknownNeverZero() {
        RunLines runLines = new RunLines(ZoneOffset.UTC, false);

        // the readings leave out what could not be read: here everything but the engine's own rate
        List<String> lines = runLines.render(new EngineEvent.Sampled(at(0), STEP, Map.of("rows_per_second", 0.0)), 80);

        assertThat(lines).containsExactly("02:14:00 signals lag unknown  lock waits unknown");
    }

    @Test
    void signalsAreShownWhenNotQuietRepeatedRarelyWhenUnchangedAndOnceWhenQuietAgain() {
        RunLines runLines = new RunLines(ZoneOffset.UTC, false);
        Map<String, Object> quiet = readings(0.2, 0, 0, 0);
        Map<String, Object> lagging = readings(12, 0, 0, 0);
        Map<String, Object> locked = readings(0.3, 4.5, 3, 1);

        assertThat(signals(runLines, 0, quiet)).isEmpty();
        assertThat(signals(runLines, 1, lagging)).containsExactly("02:14:01 signals lag 12s 1.0 MB  no lock waits");
        assertThat(signals(runLines, 4, lagging)).as("unchanged").isEmpty();
        assertThat(signals(runLines, 20, lagging)).as("unchanged").isEmpty();
        assertThat(signals(runLines, 31, lagging))
                .as("unchanged, a while later")
                .hasSize(1);
        assertThat(signals(runLines, 33, locked)).as("changed, but just shown").isEmpty();
        assertThat(signals(runLines, 36, locked))
                .containsExactly("02:14:36 signals lag 0.3s 1.0 MB  lock wait 4.5s, 3 blocked  WE BLOCK 1");
        assertThat(signals(runLines, 37, quiet)).containsExactly("02:14:37 signals lag 0.2s 1.0 MB  no lock waits");
        assertThat(signals(runLines, 50, quiet)).isEmpty();
    }

    @Test
    void aLongWordIsSplitRatherThanWideningTheLine() {
        String key = "k".repeat(150);
        List<String> lines = new LineFormat(ZoneOffset.UTC).lines(at(0), "note", "key " + key + " done", 80);

        assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        assertThat(String.join("", lines).replace(" ", "")).contains(key);
    }

    @Test
    void controlCharactersFromTheDatabaseCannotDriveTheTerminal() {
        List<String> lines = new LineFormat(ZoneOffset.UTC)
                .lines(at(0), "FAILED", "ERROR: bad value \u001b[2J\u001b]0;owned\u0007 in row", 80);

        assertThat(lines)
                .singleElement()
                .asString()
                .doesNotContain("\u001b")
                .contains("bad value ?[2J?]0;owned? in row");
    }

    private static Map<String, Object> readings(double lag, double lockWait, double blocked, double byUs) {
        return Map.of(
                Signals.REPLICATION_LAG_SECONDS, lag,
                Signals.REPLICATION_LAG_BYTES, 1_048_576.0,
                Signals.LOCK_WAIT_SECONDS, lockWait,
                Signals.BLOCKED_SESSIONS, blocked,
                Signals.BLOCKED_BY_US, byUs);
    }

    private static List<String> signals(RunLines runLines, int second, Map<String, Object> readings) {
        return runLines.render(new EngineEvent.Sampled(at(second), STEP, readings), 80);
    }

    private static EngineEvent.ProgressReported progressOf(long rows, long total, double rate, Duration eta) {
        return new EngineEvent.ProgressReported(
                at(5),
                STEP,
                new BackfillProgress(
                        rows,
                        rows,
                        rows / 2_000,
                        total,
                        "runbook",
                        rate,
                        rate,
                        eta,
                        null,
                        null,
                        2_000,
                        null,
                        Duration.ZERO,
                        Duration.ZERO));
    }

    private static EngineEvent.ProgressReported progress(Instant at, long rows, long total, double rate, Duration eta) {
        return new EngineEvent.ProgressReported(
                at,
                STEP,
                new BackfillProgress(
                        rows,
                        rows,
                        rows / 100_000,
                        total,
                        "runbook",
                        rate,
                        rate,
                        eta,
                        at.plus(eta),
                        at.plus(Duration.ofHours(1)),
                        100_000,
                        null,
                        Duration.ZERO,
                        Duration.ofHours(3)));
    }

    private static Instant at(int second) {
        return T0.plusSeconds(second);
    }

    /** The lines as one text, continuation lines joined back to the line they continue (also the screen's). */
    static String joined(List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            if (line.startsWith(LineFormat.CONTINUATION)) {
                text.append(' ').append(line.strip());
            } else {
                text.append('\n').append(line);
            }
        }
        return text.toString();
    }

    private static String withoutSpaces(String text) {
        return text.replace(" ", "");
    }

    private static int occurrences(String text, String phrase) {
        return text.split(Pattern.quote(phrase), -1).length - 1;
    }

    /** A run of four or more words that occurs twice in one line, or null. */
    private static String repeatedPhrase(String line) {
        Matcher words = Pattern.compile("(\\S+ \\S+ \\S+ \\S+).*\\b\\1\\b").matcher(line);
        return words.find() ? words.group(1) : null;
    }
}
