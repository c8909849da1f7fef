package dev.lockstep.recovery;

import java.util.Locale;

/**
 * What kind of failure a step met, with a stable id (docs/recovery.md; the timeline, {@code status --json}
 * and the screens use it) and a line a tired operator understands. After seed 003, section 18.2.
 */
public enum FailureClass {
    SYNTAX("the SQL does not parse on this server: the runbook must be fixed"),
    UNDEFINED_OBJECT("a table, column or function the step names does not exist on this database"),
    PERMISSION("the role Lockstep connects as lacks a privilege the step needs"),
    LOCK_TIMEOUT("the step could not take its lock in time: another session holds it"),
    STATEMENT_TIMEOUT("a statement ran longer than the step allows and was cancelled"),
    DEADLOCK("the step and another session waited for each other; PostgreSQL cancelled the step"),
    SERIALIZATION("a concurrent transaction changed what the step read; PostgreSQL cancelled the step"),
    UNIQUE_VIOLATION("rows in the table break a uniqueness rule the step adds or writes"),
    CHECK_VIOLATION("rows in the table break a check rule the step adds or writes"),
    NOT_NULL_VIOLATION("rows in the table hold NULL where the step needs a value"),
    FOREIGN_KEY_VIOLATION("rows point at rows that do not exist (or the step removes rows others point at)"),
    CONNECTION_LOST("the control session was lost while the step ran; whether it applied must be checked"),
    PARTIAL_DDL("the step stopped half way and left something behind that must be repaired first"),
    POST_CHECK_FAILED("the step's check or verify found the database not as expected"),
    RUNBOOK_CHANGED("the runbook changed since this run began"),
    READ_ONLY("the server refuses writes: a standby, or a primary that became one"),
    OUT_OF_RESOURCES("the server ran out of something (disk, memory, connections)"),
    LEDGER_FAILED("a migration tool's history records a failed migration on this database"),
    LEDGER_LOCKED("a migration tool's lock is held on this database"),
    OTHER("the step failed with an error Lockstep has no class for");

    private final String explanation;

    FailureClass(String explanation) {
        this.explanation = explanation;
    }

    /** The stable id: {@code lock-timeout}, {@code partial-ddl}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** One line for the operator: what this kind of failure means. */
    public String explanation() {
        return explanation;
    }

    public static FailureClass ofId(String id) {
        for (FailureClass candidate : values()) {
            if (candidate.id().equals(id)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("no failure class '" + id + "'");
    }

    /** The class an error's SQLSTATE alone gives; inspection of the database may refine it. */
    public static FailureClass ofSqlState(String sqlState) {
        if (sqlState == null || sqlState.isEmpty()) {
            return OTHER;
        }
        switch (sqlState) {
            case "42601":
                return SYNTAX;
            case "42P01", "42703", "42883", "42704", "3F000":
                return UNDEFINED_OBJECT;
            case "42501":
                return PERMISSION;
            case "55P03":
                return LOCK_TIMEOUT;
            case "57014":
                return STATEMENT_TIMEOUT;
            case "40P01":
                return DEADLOCK;
            case "40001":
                return SERIALIZATION;
            case "23505":
                return UNIQUE_VIOLATION;
            case "23514":
                return CHECK_VIOLATION;
            case "23502":
                return NOT_NULL_VIOLATION;
            case "23503":
                return FOREIGN_KEY_VIOLATION;
            case "25006":
                return READ_ONLY;
            case "57P01", "57P02", "57P03":
                return CONNECTION_LOST;
            default:
                break;
        }
        if (sqlState.startsWith("08")) {
            return CONNECTION_LOST;
        }
        if (sqlState.startsWith("53")) {
            return OUT_OF_RESOURCES;
        }
        return OTHER;
    }
}
