package dev.lockstep.runbook;

/**
 * {@code evidence:} on an approval or check step: what the step proves before a class R4/R5 change destroys
 * anything. An approval's reason (the backup id, the restore test) or a check's result is the evidence, and the
 * timeline records it with the step.
 */
public enum Evidence {
    /** A backup of what the change destroys exists and was restore-tested. */
    BACKUP
}
