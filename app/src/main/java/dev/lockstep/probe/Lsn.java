package dev.lockstep.probe;

/** PostgreSQL WAL positions ("16/B374D848") as unsigned 64-bit offsets, for differences across servers. */
final class Lsn {

    private Lsn() {}

    static Long parse(String text) {
        if (text == null) {
            return null;
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an LSN: " + text);
        }
        long high = Long.parseLong(text.substring(0, slash), 16);
        long low = Long.parseLong(text.substring(slash + 1), 16);
        return (high << 32) | low;
    }

    /** {@code ahead - behind}, never negative: readings from two servers are a few milliseconds apart. */
    static Long distance(String ahead, String behind) {
        Long aheadPosition = parse(ahead);
        Long behindPosition = parse(behind);
        if (aheadPosition == null || behindPosition == null) {
            return null;
        }
        return Math.max(0L, aheadPosition - behindPosition);
    }
}
