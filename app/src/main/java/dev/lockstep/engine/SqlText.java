package dev.lockstep.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The few things the engine must know about a step's SQL text without a parser: where one statement
 * ends, which statements cannot run inside a transaction block, and where the backfill's {@code :from}
 * and {@code :to} placeholders are. Quotes, dollar quotes and comments are skipped so that a semicolon
 * or a {@code :to} inside them is left alone.
 */
public final class SqlText {

    private static final Pattern OUTSIDE_TRANSACTION = Pattern.compile(
            "^(create\\s+(unique\\s+)?index\\s+concurrently"
                    + "|drop\\s+index\\s+concurrently"
                    + "|reindex\\s+.*\\bconcurrently\\b"
                    + "|reindex\\s+(database|system)\\b"
                    + "|vacuum\\b"
                    + "|alter\\s+system\\b"
                    + "|create\\s+database\\b|drop\\s+database\\b"
                    + "|alter\\s+table\\s+.*\\bdetach\\s+partition\\s+.*\\bconcurrently\\b"
                    + "|alter\\s+type\\s+.*\\badd\\s+value\\b)",
            Pattern.DOTALL);

    private SqlText() {}

    /** The statements of a script, each trimmed, without its terminating semicolon; empty ones dropped. */
    public static List<String> split(String script) {
        List<String> statements = new ArrayList<>();
        int start = 0;
        int i = 0;
        int length = script.length();
        while (i < length) {
            char c = script.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(script, i, c);
            } else if (c == '-' && i + 1 < length && script.charAt(i + 1) == '-') {
                i = skipLineComment(script, i);
            } else if (c == '/' && i + 1 < length && script.charAt(i + 1) == '*') {
                i = skipBlockComment(script, i);
            } else if (c == '$' && dollarTag(script, i) != null) {
                i = skipDollarQuoted(script, i, dollarTag(script, i));
            } else if (c == ';') {
                add(statements, script.substring(start, i));
                start = ++i;
            } else {
                i++;
            }
        }
        add(statements, script.substring(start));
        return List.copyOf(statements);
    }

    /**
     * Whether PostgreSQL refuses to run the statement inside a transaction block. {@code ALTER TYPE ... ADD
     * VALUE} is refused there before PostgreSQL 12 and cannot use the new value in the same transaction
     * after, so it runs on its own everywhere.
     */
    public static boolean mustRunOutsideTransaction(String statement) {
        String normalised = stripLeadingComments(statement)
                .toLowerCase(Locale.ROOT)
                .replaceAll("\\s+", " ")
                .trim();
        return OUTSIDE_TRANSACTION.matcher(normalised).find();
    }

    /** A statement with its named placeholders replaced by JDBC {@code ?} and their names in order. */
    public record Bound(String jdbcSql, List<String> parameterNames) {}

    /** Replaces {@code :name} placeholders (not {@code ::casts}, not inside quotes or comments) by {@code ?}. */
    public static Bound bindNamed(String statement, List<String> names) {
        StringBuilder sql = new StringBuilder(statement.length());
        List<String> order = new ArrayList<>();
        int i = 0;
        int length = statement.length();
        while (i < length) {
            char c = statement.charAt(i);
            int next;
            if (c == '\'' || c == '"') {
                next = skipQuoted(statement, i, c);
            } else if (c == '-' && i + 1 < length && statement.charAt(i + 1) == '-') {
                next = skipLineComment(statement, i);
            } else if (c == '/' && i + 1 < length && statement.charAt(i + 1) == '*') {
                next = skipBlockComment(statement, i);
            } else if (c == '$' && dollarTag(statement, i) != null) {
                next = skipDollarQuoted(statement, i, dollarTag(statement, i));
            } else if (c == ':' && i + 1 < length && statement.charAt(i + 1) == ':') {
                next = i + 2;
            } else if (c == ':' && (i == 0 || statement.charAt(i - 1) != ':')) {
                String name = placeholderAt(statement, i + 1, names);
                if (name != null) {
                    sql.append('?');
                    order.add(name);
                    i += 1 + name.length();
                    continue;
                }
                next = i + 1;
            } else {
                next = i + 1;
            }
            sql.append(statement, i, next);
            i = next;
        }
        return new Bound(sql.toString(), List.copyOf(order));
    }

    private static String placeholderAt(String text, int from, List<String> names) {
        for (String name : names) {
            int end = from + name.length();
            if (text.startsWith(name, from)
                    && (end == text.length() || !Character.isJavaIdentifierPart(text.charAt(end)))) {
                return name;
            }
        }
        return null;
    }

    private static void add(List<String> statements, String statement) {
        String trimmed = statement.trim();
        if (!stripLeadingComments(trimmed).isBlank()) {
            statements.add(trimmed);
        }
    }

    private static String stripLeadingComments(String statement) {
        String rest = statement.stripLeading();
        while (true) {
            if (rest.startsWith("--")) {
                int newline = rest.indexOf('\n');
                rest = newline < 0 ? "" : rest.substring(newline + 1).stripLeading();
            } else if (rest.startsWith("/*")) {
                int end = skipBlockComment(rest, 0);
                rest = rest.substring(Math.min(end, rest.length())).stripLeading();
            } else {
                return rest;
            }
        }
    }

    private static int skipQuoted(String text, int start, char quote) {
        int i = start + 1;
        while (i < text.length()) {
            if (text.charAt(i) == quote) {
                if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return text.length();
    }

    private static int skipLineComment(String text, int start) {
        int newline = text.indexOf('\n', start);
        return newline < 0 ? text.length() : newline + 1;
    }

    private static int skipBlockComment(String text, int start) {
        int depth = 0;
        int i = start;
        while (i < text.length()) {
            if (text.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (text.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return text.length();
    }

    private static String dollarTag(String text, int start) {
        if (start > 0 && Character.isJavaIdentifierPart(text.charAt(start - 1))) {
            return null;
        }
        int i = start + 1;
        while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
            i++;
        }
        if (i < text.length() && text.charAt(i) == '$') {
            String tag = text.substring(start, i + 1);
            return tag.length() > 2 && Character.isDigit(tag.charAt(1)) ? null : tag;
        }
        return null;
    }

    private static int skipDollarQuoted(String text, int start, String tag) {
        int end = text.indexOf(tag, start + tag.length());
        return end < 0 ? text.length() : end + tag.length();
    }
}
