package dev.lockstep.engine;

import dev.lockstep.probe.MigrationLedger;
import dev.lockstep.runbook.Expectation;
import java.time.Duration;
import java.util.Set;

/**
 * A step as the engine executes it: the runbook's step with every default applied. The command line
 * builds these from the loaded runbook ({@link RunPlans}); the engine never sees YAML.
 */
sealed interface StepPlan {

    String stepId();

    String kind();

    /** A DDL or DML step. Statements run in one transaction unless one of them cannot. */
    record Sql(
            String stepId,
            String sql,
            Duration lockTimeout,
            Duration statementTimeout,
            int attempts,
            Backoff backoff,
            Set<String> retryOn,
            RowRange expectedRows,
            Check verify)
            implements StepPlan {
        public String kind() {
            return "sql";
        }
    }

    /** A query whose first column of its first row must meet the expectation. */
    /**
     * A query whose result must meet {@code expect}. A {@code precondition} (a check step marked so) is one the
     * run may start only while it holds: when it does not, the run stops before anything changed.
     */
    record Check(String stepId, String sql, Expectation expect, Duration statementTimeout, boolean precondition)
            implements StepPlan {
        Check(String stepId, String sql, Expectation expect, Duration statementTimeout) {
            this(stepId, sql, expect, statementTimeout, false);
        }

        public String kind() {
            return "check";
        }
    }

    /** A check polled every {@code interval} until it holds or {@code timeout} passes. */
    record Wait(String stepId, Check condition, Duration interval, Duration timeout) implements StepPlan {
        public String kind() {
            return "wait";
        }
    }

    /**
     * {@code confirmText} non-null: the operator must type it (the runbook id, for risky changes).
     * {@code secondApprover}: the gate of an R5 runbook, which another OS user approves too ({@code lockstep
     * approve}) before the run goes on.
     */
    record Approval(String stepId, String prompt, String confirmText, boolean secondApprover) implements StepPlan {
        public Approval(String stepId, String prompt, String confirmText) {
            this(stepId, prompt, confirmText, false);
        }

        public String kind() {
            return "approval";
        }
    }

    record Note(String stepId, String text) implements StepPlan {
        public String kind() {
            return "note";
        }
    }

    /**
     * A migration tool's ledger asserted: it exists, has no failed entries and is at {@code expectVersion}
     * (null: any). {@code schema} null: the only one found. {@code acknowledge}, a reason, lets a failed entry
     * or a held lock of this tool found at the start of the run go without asking.
     */
    record Ledger(String stepId, MigrationLedger.Tool tool, String schema, String expectVersion, String acknowledge)
            implements StepPlan {
        public String kind() {
            return "ledger";
        }
    }

    /** {@code verify} runs once the last batch has committed; the backfill is complete only when it holds. */
    record Backfill(BackfillPlan plan, Check verify) implements StepPlan {
        public String stepId() {
            return plan.stepId();
        }

        public String kind() {
            return "backfill";
        }
    }

    /** Bounds on the rows a statement affected; either end may be open (null). */
    record RowRange(Long min, Long max) {
        public boolean contains(long rows) {
            return (min == null || rows >= min) && (max == null || rows <= max);
        }

        public String describe() {
            if (min != null && max != null) {
                return min.equals(max) ? Long.toString(min) : min + ".." + max;
            }
            return min != null ? ">= " + min : "<= " + max;
        }
    }
}
