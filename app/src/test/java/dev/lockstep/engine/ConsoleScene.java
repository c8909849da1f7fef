package dev.lockstep.engine;

import dev.lockstep.runbook.Expectation;
import dev.lockstep.runbook.Value;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The console tests' run: a plan of the engine's own (non-API) types, folded into the view the console draws.
 * It lives in the engine's package so that the plan types can stay package-private.
 */
public final class ConsoleScene {

    private static final Expectation EQUALS_ZERO =
            new Expectation(List.of(new Expectation.Comparison(Expectation.Operator.EQUALS, Value.of(0L))));

    private ConsoleScene() {}

    /** A fold of a five-step run (check, approval, ALTER, backfill, check) that the test feeds with events. */
    public static ViewFold fold(String runbook, Instant windowEnd, String title) {
        return new ViewFold(new RunViewFold(plan(runbook, windowEnd), title));
    }

    private static RunPlan plan(String runbook, Instant windowEnd) {
        StepPlan.Check precheck = new StepPlan.Check(
                "precheck",
                "select count(*) from information_schema.columns where column_name = 'priority'",
                EQUALS_ZERO,
                Duration.ofSeconds(5));
        StepPlan.Check verify = new StepPlan.Check(
                "verify-backfill",
                "select count(*) from case_file where priority is null",
                EQUALS_ZERO,
                Duration.ofSeconds(30));
        BackfillPlan backfill = new BackfillPlan(
                "backfill-priority",
                "case_file",
                "id",
                "update case_file set priority = 3 where id > :from and id <= :to",
                1000,
                Duration.ofMillis(200),
                100,
                20000,
                Duration.ZERO,
                Duration.ofSeconds(30),
                Duration.ofSeconds(2),
                5,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)),
                null,
                windowEnd);
        return new RunPlan(
                runbook,
                "5f1c0ffee",
                windowEnd,
                List.of(
                        precheck,
                        new StepPlan.Approval("confirm-backup", "Backup of case_file taken and restore-tested?", null),
                        new StepPlan.Sql(
                                "add-column",
                                "ALTER TABLE case_file ADD COLUMN priority int",
                                Duration.ofSeconds(2),
                                Duration.ofSeconds(30),
                                10,
                                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)),
                                java.util.Set.of(),
                                null,
                                null),
                        new StepPlan.Backfill(backfill, verify),
                        verify),
                Map.of("backfill-priority", Duration.ofMinutes(2)));
    }
}
