package dev.lockstep.probe;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A migration tool's ledger found on the target database (docs/watch-json.md, "Migration ledgers"): Flyway's
 * {@code flyway_schema_history} or Liquibase's {@code databasechangelog} / {@code databasechangeloglock}, in
 * one schema.
 *
 * @param currentVersion Flyway: the highest version applied successfully; Liquibase: the id of the last
 *     changeset applied (highest {@code orderexecuted}); null when nothing was applied or the history table
 *     is missing (a Liquibase lock table alone)
 * @param currentDescription Flyway: that version's description; Liquibase: {@code author:id} of that changeset
 *     and its file
 * @param lastAppliedAt when the last entry was applied (in the server's time zone as the tool wrote it)
 * @param lastAppliedBy Flyway's {@code installed_by}; Liquibase's changeset author
 * @param applied how many entries succeeded
 * @param failed Flyway rows with {@code success = false}; Liquibase rows with {@code exectype = 'FAILED'}
 * @param lock the tool's lock when it is held; null when it is not held (Liquibase) or not detected (Flyway)
 */
public record MigrationLedger(
        Tool tool,
        String schema,
        String currentVersion,
        String currentDescription,
        Instant lastAppliedAt,
        String lastAppliedBy,
        long applied,
        List<Entry> failed,
        Lock lock) {

    public MigrationLedger {
        failed = List.copyOf(failed);
    }

    public enum Tool {
        FLYWAY,
        LIQUIBASE;

        /** {@code flyway}, {@code liquibase}: the runbook's {@code tool:} and the JSON's {@code tool}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return id();
        }

        public static java.util.Optional<Tool> ofId(String id) {
            for (Tool tool : values()) {
                if (tool.id().equals(id)) {
                    return java.util.Optional.of(tool);
                }
            }
            return java.util.Optional.empty();
        }
    }

    /** A failed entry: its version (Flyway) or changeset id (Liquibase), description and script or file. */
    public record Entry(String version, String description, String script, Instant at) {
        /** "V42 add index (V42__add_index.sql)" for screens and facts. */
        public String describe() {
            StringBuilder text = new StringBuilder(version == null || version.isEmpty() ? "(no version)" : version);
            if (description != null && !description.isEmpty()) {
                text.append(' ').append(description);
            }
            if (script != null && !script.isEmpty()) {
                text.append(" (").append(script).append(')');
            }
            return text.toString();
        }
    }

    /** Whether a session of the lock's holder is still connected, as far as pg_stat_activity tells. */
    public enum Liveness {
        /** A session matches the holder (its pid, or its address or host name): it may still be working. */
        ALIVE,
        /** No visible session matches and none is hidden from this role: the holder is gone. */
        GONE,
        /** It cannot be told: the holder names no address or host, or sessions are hidden from this role. */
        UNKNOWN;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return id();
        }
    }

    /**
     * A held lock.
     *
     * @param lockedBy Liquibase's {@code lockedby} as written ("host (address)"); for Flyway, the session that
     *     holds its advisory lock
     * @param grantedAt Liquibase's {@code lockgranted}; null for Flyway (PostgreSQL does not keep when an
     *     advisory lock was granted)
     * @param ageSeconds seconds since {@code grantedAt} by the server's clock; for Flyway, since the holding
     *     session's current transaction or statement began; null when unknown
     * @param holderAlive whether a session of the holder is connected
     * @param holder the sessions that match the holder, or why liveness is unknown or gone, in words
     * @param holderPid the pid of the session holding Flyway's advisory lock; null for Liquibase
     */
    public record Lock(
            String lockedBy,
            Instant grantedAt,
            Double ageSeconds,
            Liveness holderAlive,
            String holder,
            Integer holderPid) {}

    public boolean hasFailed() {
        return !failed.isEmpty();
    }

    /** "flyway in public", "liquibase in app". */
    public String describe() {
        return tool.id() + " in " + schema;
    }
}
