package dev.lockstep.runbook;

import java.util.Optional;

/**
 * {@code kind: ledger}: asserts a migration tool's ledger on the target database (docs/runbook-format.md,
 * "Ledger steps"). It passes when the ledger exists, has no failed entries, and its current version is {@code
 * expectVersion} when one is given.
 *
 * @param tool {@code flyway} or {@code liquibase}
 * @param schema the schema holding the ledger's tables; empty: the only one found
 * @param expectVersion Flyway: the highest version applied; Liquibase: the id of the last changeset applied
 * @param acknowledge a reason: the runbook knows of a failed entry or a held lock of this tool's ledger and
 *     goes on at the start of the run without asking (recorded as the decision)
 */
public record LedgerStep(
        String id,
        Optional<String> title,
        Optional<Phase> phase,
        String tool,
        Optional<String> schema,
        Optional<String> expectVersion,
        Optional<String> acknowledge,
        OnFailure onFailure,
        StepMarks marks)
        implements Step {
    @Override
    public String kind() {
        return "ledger";
    }
}
