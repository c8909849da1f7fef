package dev.lockstep.runbook;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of bytes written as PostgreSQL writes memory settings: {@code 512kB}, {@code 64MB},
 * {@code 1GB}, {@code 2TB} or plain {@code 100B}; units are case-sensitive and multiples of 1024, as in
 * {@code postgresql.conf}, so a threshold reads the same as the server's own settings.
 */
public record ByteSize(long bytes) implements Comparable<ByteSize> {
    private static final Pattern SYNTAX = Pattern.compile("(\\d+)(B|kB|MB|GB|TB)");

    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a byte size is not negative: " + bytes);
        }
    }

    /**
     * Parses a byte size or explains, in one line, what was expected.
     *
     * @throws IllegalArgumentException with a message fit for the operator
     */
    public static ByteSize parse(String text) {
        Matcher matcher = SYNTAX.matcher(text);
        if (!matcher.matches()) {
            String expected = "expected a byte size like 512kB, 64MB or 1GB, got '" + text + "'";
            if (text.matches("\\d+")) {
                throw new IllegalArgumentException(expected + " (add a unit: " + text + "B or " + text + "MB?)");
            }
            if (text.matches("(?i)\\d+(b|kb|mb|gb|tb|kib|mib|gib|tib)")) {
                throw new IllegalArgumentException(expected + " (units are B, kB, MB, GB, TB as in PostgreSQL)");
            }
            throw new IllegalArgumentException(expected);
        }
        int shift =
                switch (matcher.group(2)) {
                    case "kB" -> 10;
                    case "MB" -> 20;
                    case "GB" -> 30;
                    case "TB" -> 40;
                    default -> 0;
                };
        String digits = matcher.group(1);
        long number = digits.length() > 15 ? Long.MAX_VALUE : Long.parseLong(digits);
        if (number > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("byte size '" + text + "' is too large");
        }
        return new ByteSize(number << shift);
    }

    @Override
    public int compareTo(ByteSize other) {
        return Long.compare(bytes, other.bytes);
    }

    /** The largest unit that divides the size exactly, so {@link #parse} reads it back unchanged. */
    @Override
    public String toString() {
        String[] units = {"TB", "GB", "MB", "kB"};
        for (int index = 0; index < units.length; index++) {
            int shift = 40 - 10 * index;
            if (bytes != 0 && bytes % (1L << shift) == 0) {
                return (bytes >> shift) + units[index];
            }
        }
        return bytes + "B";
    }
}
