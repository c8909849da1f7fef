package dev.lockstep.runbook;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runbook's duration syntax: one or more {@code <digits><unit>} parts with units {@code h}, {@code m},
 * {@code s}, {@code ms}, largest first, each at most once: {@code 200ms}, {@code 3s}, {@code 2h},
 * {@code 1m30s}. No decimals, no spaces, no bare numbers: a runbook read at 2 a.m. must not leave a
 * doubt whether {@code 30} meant seconds or minutes.
 */
public final class Durations {
    private static final Pattern SYNTAX = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?");
    private static final long MAX_HOURS = 24L * 366;

    private Durations() {}

    /**
     * Parses a duration or explains, in one line, what was expected.
     *
     * @throws IllegalArgumentException with a message fit for the operator
     */
    public static Duration parse(String text) {
        Matcher matcher = SYNTAX.matcher(text);
        if (text.isEmpty() || !matcher.matches()) {
            throw new IllegalArgumentException(explain(text));
        }
        Duration duration = Duration.ZERO;
        long[] unitsInMillis = {3_600_000L, 60_000L, 1_000L, 1L};
        for (int group = 1; group <= 4; group++) {
            String digits = matcher.group(group);
            if (digits == null) {
                continue;
            }
            if (digits.length() > 9) {
                throw new IllegalArgumentException("duration '" + text + "' is too long; at most " + MAX_HOURS + "h");
            }
            duration = duration.plusMillis(Long.parseLong(digits) * unitsInMillis[group - 1]);
        }
        if (duration.toHours() > MAX_HOURS) {
            throw new IllegalArgumentException("duration '" + text + "' is too long; at most " + MAX_HOURS + "h");
        }
        return duration;
    }

    /** The shortest text {@link #parse} reads back as the same duration, e.g. {@code 1m30s}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        long millis = duration.toMillis();
        StringBuilder text = new StringBuilder();
        long hours = millis / 3_600_000L;
        long minutes = millis / 60_000L % 60;
        long seconds = millis / 1_000L % 60;
        long rest = millis % 1_000L;
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0) {
            text.append(minutes).append('m');
        }
        if (seconds > 0) {
            text.append(seconds).append('s');
        }
        if (rest > 0) {
            text.append(rest).append("ms");
        }
        return text.toString();
    }

    private static String explain(String text) {
        String expected = "expected a duration like 200ms, 3s, 1m30s or 2h, got '" + text + "'";
        if (text.matches("\\d+")) {
            return expected + " (add a unit: " + text + "s?)";
        }
        if (text.matches("\\d+\\.\\d+[a-z]+")) {
            return expected + " (no decimals: write 1500ms or 1m30s)";
        }
        if (text.contains(" ")) {
            return expected + " (no spaces)";
        }
        if (text.matches("\\d+(sec|secs|second|seconds|min|mins|minute|minutes|hr|hrs|hour|hours|d|day|days)")) {
            return expected + " (units are h, m, s and ms)";
        }
        return expected;
    }
}
