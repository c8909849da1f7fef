package dev.lockstep.tui;

import java.time.Duration;
import java.util.Locale;

/**
 * How numbers, durations and database text read on every screen Lockstep draws (line mode, the console):
 * one place, so that a lag reads "12s" in the log and on the console alike.
 */
public final class Units {

    private Units() {}

    /**
     * One line of printable text: runs of white space (the line breaks of a PostgreSQL error's DETAIL) become
     * one space, and control characters, which text from the database could use to move the cursor or
     * recolour the screen, become '?'.
     */
    public static String clean(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder cleaned = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                space = cleaned.length() > 0;
                continue;
            }
            if (space) {
                cleaned.append(' ');
                space = false;
            }
            cleaned.append(Character.isISOControl(c) ? '?' : c);
        }
        return cleaned.toString();
    }

    /** 482,000: exact, with thousands separators. */
    public static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** 9,999 / 120k / 1.0M / 2.5bn: for totals that are estimates anyway. */
    public static String approximately(long value) {
        long magnitude = Math.abs(value);
        if (magnitude < 10_000) {
            return count(value);
        }
        if (magnitude < 999_500) {
            return Math.round(value / 1_000.0) + "k";
        }
        if (magnitude < 999_950_000) {
            return String.format(Locale.ROOT, "%.1fM", value / 1_000_000.0);
        }
        return String.format(Locale.ROOT, "%.1fbn", value / 1_000_000_000.0);
    }

    /** 0.4s, 11s, 1m47s, 2h03m. */
    public static String seconds(double seconds) {
        if (seconds < 10) {
            return String.format(Locale.ROOT, "%.1fs", Math.max(0, seconds));
        }
        long whole = Math.round(seconds);
        if (whole < 60) {
            return whole + "s";
        }
        if (whole < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", whole / 60, whole % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", whole / 3600, whole % 3600 / 60);
    }

    /** Like {@link #seconds(double)}, whole seconds only: 0s, 9s, 1m47s. */
    public static String duration(Duration duration) {
        long whole = Math.max(0, duration.toSeconds());
        return whole < 10 ? whole + "s" : seconds(whole);
    }

    /** 9 ms below a second, then as {@link #seconds(double)}. */
    public static String millis(long millis) {
        return millis < 1000 ? millis + " ms" : seconds(millis / 1000.0);
    }

    /** 512 B, 16.0 MB. */
    public static String bytes(double bytes) {
        if (bytes < 1024) {
            return Math.round(bytes) + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
