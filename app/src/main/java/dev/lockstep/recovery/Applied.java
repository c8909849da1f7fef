package dev.lockstep.recovery;

import java.util.Locale;

/** How much of a failed step stayed in the database: what decides whether running it again is safe. */
public enum Applied {
    /**
     * It ran in one transaction that rolled back, its failing statement was its first outside a transaction,
     * or it changes nothing (a check): nothing stayed.
     */
    NOTHING("nothing of it stayed: what it ran rolled back, and nothing before it committed"),
    /** Some statements outside a transaction, or some backfill batches, stayed committed. */
    PARTLY("part of it stayed committed"),
    /** Its statements stayed applied; what failed was the check after them. */
    ALL("its statements stayed applied; the check after them failed"),
    /** The session was lost before the end was recorded. */
    UNKNOWN("not known: the session was lost before its end was recorded");

    private final String description;

    Applied(String description) {
        this.description = description;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String description() {
        return description;
    }

    public static Applied ofId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
