package dev.lockstep.recovery;

import dev.lockstep.runbook.sql.SqlStatement;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PostgreSQL's table-level lock modes: which one a statement asks for, and which granted modes make it
 * wait (the conflict table of "Explicit Locking" in the PostgreSQL documentation).
 */
final class LockModes {

    static final String ACCESS_SHARE = "AccessShareLock";
    static final String ROW_SHARE = "RowShareLock";
    static final String ROW_EXCLUSIVE = "RowExclusiveLock";
    static final String SHARE_UPDATE_EXCLUSIVE = "ShareUpdateExclusiveLock";
    static final String SHARE = "ShareLock";
    static final String SHARE_ROW_EXCLUSIVE = "ShareRowExclusiveLock";
    static final String EXCLUSIVE = "ExclusiveLock";
    static final String ACCESS_EXCLUSIVE = "AccessExclusiveLock";

    private static final List<String> ALL = List.of(
            ACCESS_SHARE,
            ROW_SHARE,
            ROW_EXCLUSIVE,
            SHARE_UPDATE_EXCLUSIVE,
            SHARE,
            SHARE_ROW_EXCLUSIVE,
            EXCLUSIVE,
            ACCESS_EXCLUSIVE);

    private static final Map<String, Set<String>> CONFLICTS = Map.of(
            ACCESS_SHARE, Set.of(ACCESS_EXCLUSIVE),
            ROW_SHARE, Set.of(EXCLUSIVE, ACCESS_EXCLUSIVE),
            ROW_EXCLUSIVE, Set.of(SHARE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE, ACCESS_EXCLUSIVE),
            SHARE_UPDATE_EXCLUSIVE,
                    Set.of(SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE, ACCESS_EXCLUSIVE),
            SHARE, Set.of(ROW_EXCLUSIVE, SHARE_UPDATE_EXCLUSIVE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE, ACCESS_EXCLUSIVE),
            SHARE_ROW_EXCLUSIVE,
                    Set.of(
                            ROW_EXCLUSIVE,
                            SHARE_UPDATE_EXCLUSIVE,
                            SHARE,
                            SHARE_ROW_EXCLUSIVE,
                            EXCLUSIVE,
                            ACCESS_EXCLUSIVE),
            EXCLUSIVE, Set.copyOf(ALL.subList(1, ALL.size())),
            ACCESS_EXCLUSIVE, Set.copyOf(ALL));

    private LockModes() {}

    /**
     * The mode a statement asks for on its target relation. A row change also waits for the row locks of
     * other writers, which hold RowExclusiveLock: those are counted as conflicting too.
     */
    static String requestedBy(SqlStatement statement) {
        List<String> words = statement.words();
        switch (statement.first()) {
            case "UPDATE", "DELETE", "INSERT", "MERGE":
                return ROW_EXCLUSIVE;
            case "CREATE":
                return words.contains("CONCURRENTLY") ? SHARE_UPDATE_EXCLUSIVE : SHARE;
            case "REINDEX":
                return words.contains("CONCURRENTLY") ? SHARE_UPDATE_EXCLUSIVE : ACCESS_EXCLUSIVE;
            case "LOCK":
                for (String mode : ALL) {
                    String spelled = mode.replace("Lock", "")
                            .replaceAll("([a-z])([A-Z])", "$1 $2")
                            .toUpperCase();
                    if (String.join(" ", words).contains("IN " + spelled + " MODE")) {
                        return mode;
                    }
                }
                return ACCESS_EXCLUSIVE;
            case "ALTER":
                if (words.contains("VALIDATE")) {
                    return SHARE_UPDATE_EXCLUSIVE;
                }
                if (words.contains("FOREIGN") || words.contains("REFERENCES")) {
                    return SHARE_ROW_EXCLUSIVE;
                }
                return ACCESS_EXCLUSIVE;
            default:
                return ACCESS_EXCLUSIVE;
        }
    }

    /** The granted modes that make a request for {@code requested} wait. */
    static Set<String> blocking(String requested) {
        if (ROW_EXCLUSIVE.equals(requested)) {
            // a row change waits for other writers' row locks as well as for the table-level conflicts
            return Set.of(ROW_SHARE, ROW_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE, ACCESS_EXCLUSIVE);
        }
        return CONFLICTS.getOrDefault(requested, Set.copyOf(ALL));
    }
}
