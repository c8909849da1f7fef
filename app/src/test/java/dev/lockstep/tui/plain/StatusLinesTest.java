package dev.lockstep.tui.plain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.engine.RunRecord;
import dev.lockstep.engine.RunState;
import dev.lockstep.engine.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusLinesTest {

    private static final Instant NOW = Instant.parse("2026-11-21T03:00:00Z");

    private static RunStatus run(
            String runId, String runbookId, RunState state, String step, String holder, Duration ago) {
        return new RunStatus(record(runId, runbookId, state, step, holder, ago), null, ago);
    }

    private static RunRecord record(
            String runId, String runbookId, RunState state, String step, String holder, Duration ago) {
        return new RunRecord(
                runId,
                runbookId,
                "postgres",
                "ab12",
                holder,
                28190,
                NOW.minus(Duration.ofMinutes(15)),
                NOW.minus(ago),
                state,
                step,
                "{}",
                state.active() ? null : NOW.minus(ago),
                null);
    }

    @Test
    void theExampleRunbooksFitEightyColumnsWithNothingCut() {
        List<String> lines = StatusLines.render(
                List.of(
                        run(
                                "20261121T024500Z-1b6eb",
                                "CHG-2026-1120-enforcement-case-priority",
                                RunState.THROTTLED,
                                "backfill-open-cases",
                                "oncall@bastion-1",
                                Duration.ofSeconds(4)),
                        run(
                                "20261118T010000Z-77aa1",
                                "CHG-2026-1204-customer-display-name-contract",
                                RunState.DONE,
                                null,
                                "root@vm",
                                Duration.ofDays(3))),
                80);

        assertThat(String.join("\n", lines))
                .isEqualTo(
                        """
                        CHG-2026-1120-enforcement-case-priority  run 20261121T024500Z-1b6eb
                          throttled  at backfill-open-cases  oncall@bastion-1 pid 28190  seen 4s ago
                        CHG-2026-1204-customer-display-name-contract  run 20261118T010000Z-77aa1
                          done                               root@vm pid 28190           seen 3d ago""");
        assertThat(lines).allSatisfy(line -> assertThat(line).hasSizeLessThanOrEqualTo(80));
    }

    @Test
    void longValuesGiveWayInTheMiddleAndTheHolderKeepsItsPid() {
        List<String> lines = StatusLines.render(
                List.of(run(
                        "20261121T024500Z-1b6eb",
                        "CHG-2026-1120-normalise-every-shipping-address-of-every-order-ever-placed",
                        RunState.PAUSED,
                        "backfill-normalised-shipping-address-in-small-batches",
                        "oncall-database-administrator@bastion-eu-west-1.internal.example.com",
                        Duration.ofSeconds(75))),
                80);

        assertThat(lines).allSatisfy(line -> assertThat(line).hasSizeLessThanOrEqualTo(80));
        assertThat(lines.get(0)).startsWith("CHG-2026-1120-norm").endsWith("-placed  run 20261121T024500Z-1b6eb");
        assertThat(lines.get(1))
                .isEqualTo("  paused  at backfill-...mall-batches  oncall-d...ple.com pid 28190  seen 1m ago");
    }

    @Test
    void noStepColumnWhenNoRunIsAtAStep() {
        List<String> lines = StatusLines.render(
                List.of(run("20261121T024500Z-1b6eb", "CHG-1", RunState.DONE, null, "root@vm", Duration.ofSeconds(21))),
                80);

        assertThat(lines)
                .containsExactly("CHG-1  run 20261121T024500Z-1b6eb", "  done  root@vm pid 28190  seen 21s ago");
    }

    @Test
    void aHolderWhoseLeaseIsFreeReadsGone() {
        RunStatus killed = new RunStatus(
                record("20261121T024500Z-1b6eb", "CHG-1", RunState.RUNNING, "fill", "root@vm", Duration.ofSeconds(93)),
                true,
                Duration.ofSeconds(93));

        assertThat(StatusLines.render(List.of(killed), 80))
                .containsExactly(
                        "CHG-1  run 20261121T024500Z-1b6eb",
                        "  running  at fill  gone (root@vm pid 28190)  seen 1m ago");
    }

    @Test
    void heartbeatAgesReadAtAGlance() {
        assertThat(StatusLines.ago(Duration.ofSeconds(59))).isEqualTo("59s ago");
        assertThat(StatusLines.ago(Duration.ofMinutes(59))).isEqualTo("59m ago");
        assertThat(StatusLines.ago(Duration.ofHours(47))).isEqualTo("47h ago");
        assertThat(StatusLines.ago(Duration.ofHours(48))).isEqualTo("2d ago");
        assertThat(StatusLines.ago(Duration.ofSeconds(-2)))
                .as("a clock a little ahead")
                .isEqualTo("0s ago");
    }
}
