package dev.lockstep.tui;

import dev.lockstep.probe.MigrationLedger;
import dev.lockstep.probe.MigrationLedger.Liveness;
import dev.lockstep.probe.MigrationLedger.Lock;
import dev.lockstep.probe.MigrationLedger.Tool;

/**
 * A migration ledger in one short line, the same in the plain watch, the console and line mode: its tool and
 * schema, its current version, failed entries, and a held lock with its age and whether its holder is alive.
 */
public final class LedgerText {

    private LedgerText() {}

    /**
     * "flyway public: at 41 | 1 FAILED: 42 add index (V42__add_index.sql)", "liquibase app: at 7 | LOCKED 1h02m,
     * holder gone: ci-7 (10.0.0.7)".
     */
    public static String line(MigrationLedger ledger) {
        StringBuilder line = new StringBuilder(ledger.tool().id())
                .append(' ')
                .append(ledger.schema())
                .append(": ");
        line.append(ledger.currentVersion() == null ? "nothing applied" : "at " + ledger.currentVersion());
        if (ledger.hasFailed()) {
            line.append(" | ")
                    .append(ledger.failed().size())
                    .append(" FAILED: ")
                    .append(ledger.failed().get(ledger.failed().size() - 1).describe());
        }
        Lock lock = ledger.lock();
        if (lock != null) {
            line.append(" | ").append(lock(lock));
        } else if (ledger.tool() == Tool.FLYWAY) {
            line.append(" | lock not detected");
        } else {
            line.append(" | not locked");
        }
        return line.toString();
    }

    /** "LOCKED 1h02m, holder gone: ci-7 (10.0.0.7)": whether the holder lives before who it is, for 80 columns. */
    public static String lock(Lock lock) {
        return "LOCKED"
                + (lock.ageSeconds() == null ? "" : " " + Units.seconds(Math.max(0, lock.ageSeconds())))
                + ", holder " + liveness(lock.holderAlive()) + ": " + lock.lockedBy();
    }

    public static String liveness(Liveness liveness) {
        return switch (liveness) {
            case ALIVE -> "alive";
            case GONE -> "gone";
            case UNKNOWN -> "alive?";
        };
    }
}
