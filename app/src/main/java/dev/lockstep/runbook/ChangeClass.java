package dev.lockstep.runbook;

/** Reversibility class of a change, from the stateful-change reading (seed 000, "Reversibility Classes"). */
public enum ChangeClass {
    /** No durable mutation. */
    R0,
    /** Additive and reversible: a nullable column, an index built concurrently. */
    R1,
    /** Additive but costly: a large index, a large backfill. */
    R2,
    /** Compatibility-breaking: rename, type change; needs expand/contract. */
    R3,
    /** Destructive: drop, delete, reduced retention; needs an approval before the destructive step. */
    R4,
    /** Irreversible semantics: rewritten identifiers, merged tenants; needs an approval as well. */
    R5;

    /** R4 and R5 may lose data: the runbook must stop for a human before the first destructive step. */
    public boolean needsApproval() {
        return this == R4 || this == R5;
    }
}
