package dev.lockstep.runbook.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of PostgreSQL's lexical rules to classify a runbook's statements: comments, string
 * literals, quoted identifiers and dollar-quoted bodies are skipped, so a {@code DROP} inside a comment or
 * a string never counts. It does not parse SQL; the server does that.
 */
public final class SqlText {
    private static final Pattern PARAMETER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern DOLLAR_TAG = Pattern.compile("\\$([A-Za-z_][A-Za-z_0-9]*)?\\$");
    private static final Set<String> DML = Set.of("INSERT", "UPDATE", "DELETE", "MERGE");
    private static final Set<String> READS = Set.of("SELECT", "VALUES", "TABLE", "SHOW", "WITH", "EXPLAIN");
    private static final Set<String> NOT_A_DROP_OF_DATA = Set.of("NOT", "DEFAULT", "IDENTITY", "EXPRESSION");

    private SqlText() {}

    /** One statement as the sequence of its upper-cased words (keywords and plain identifiers). */
    public record Statement(List<String> words, List<String> written) {
        public String first() {
            return words.isEmpty() ? "" : words.get(0);
        }

        /** The first few words, for messages: "ALTER TABLE customer DROP". */
        public String head(int count) {
            return String.join(" ", written.subList(0, Math.min(count, written.size())));
        }

        public boolean isDml() {
            if (DML.contains(first())) {
                return true;
            }
            return first().equals("WITH") && dmlInside();
        }

        /** INSERT/UPDATE/DELETE/MERGE anywhere but in FOR UPDATE / FOR NO KEY UPDATE row locks. */
        private boolean dmlInside() {
            for (int index = 1; index < words.size(); index++) {
                String word = words.get(index);
                String before = words.get(index - 1);
                if (DML.contains(word) && !before.equals("FOR") && !before.equals("KEY")) {
                    return true;
                }
            }
            return false;
        }

        /** DROP, TRUNCATE, DELETE and ALTER ... DROP (but not DROP NOT NULL / DEFAULT): may lose data or schema. */
        public boolean isDestructive() {
            switch (first()) {
                case "DROP", "TRUNCATE", "DELETE":
                    return true;
                case "WITH":
                    return words.contains("DELETE") || words.contains("TRUNCATE");
                case "ALTER":
                    for (int index = 1; index < words.size(); index++) {
                        if (words.get(index).equals("DROP")) {
                            String next = index + 1 < words.size() ? words.get(index + 1) : "";
                            if (!NOT_A_DROP_OF_DATA.contains(next)) {
                                return true;
                            }
                        }
                    }
                    return false;
                default:
                    return false;
            }
        }

        /** Destructive, or a rename or column type change: what old application versions cannot survive. */
        public boolean isContractWork() {
            if (isDestructive()) {
                return true;
            }
            return first().equals("ALTER")
                    && (words.contains("RENAME")
                            || (words.size() > 1 && words.get(1).equals("TABLE") && words.contains("TYPE")));
        }

        /** CREATE TABLE or ALTER TABLE ... ADD [COLUMN]: new shape that a contract runbook must not add. */
        public boolean isExpandWork() {
            if (words.size() > 1 && first().equals("CREATE") && words.contains("TABLE") && !words.contains("AS")) {
                return words.indexOf("TABLE") <= 3;
            }
            if (first().equals("ALTER") && words.size() > 1 && words.get(1).equals("TABLE")) {
                for (int index = 2; index + 1 < words.size(); index++) {
                    if (words.get(index).equals("ADD")) {
                        String next = words.get(index + 1);
                        if (!Set.of("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE")
                                .contains(next)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        /** Statements PostgreSQL refuses inside a transaction block. */
        public boolean refusesTransaction() {
            return words.contains("CONCURRENTLY")
                            && Set.of("CREATE", "DROP", "REINDEX").contains(first())
                    || Set.of("VACUUM").contains(first())
                    || (first().equals("ALTER")
                            && words.size() > 1
                            && words.get(1).equals("SYSTEM"))
                    || (first().equals("CREATE")
                            && words.size() > 1
                            && words.get(1).equals("DATABASE"));
        }

        /** A query that only reads: SELECT, VALUES, TABLE, SHOW, EXPLAIN, or WITH without DML. */
        public boolean isReadOnly() {
            return READS.contains(first()) && !dmlInside() && !words.contains("INTO");
        }
    }

    /** The statements of a SQL text, split at top-level semicolons; empty statements are left out. */
    public static List<Statement> statements(String sql) {
        List<Statement> statements = new ArrayList<>();
        List<String> words = new ArrayList<>();
        List<String> written = new ArrayList<>();
        int index = 0;
        int length = sql.length();
        while (index < length) {
            char current = sql.charAt(index);
            char next = index + 1 < length ? sql.charAt(index + 1) : '\0';
            if (current == '-' && next == '-') {
                int end = sql.indexOf('\n', index);
                index = end < 0 ? length : end + 1;
            } else if (current == '/' && next == '*') {
                index = skipBlockComment(sql, index);
            } else if (current == '\'') {
                boolean escapes = index > 0 && (sql.charAt(index - 1) == 'E' || sql.charAt(index - 1) == 'e');
                index = skipQuoted(sql, index, '\'', escapes);
            } else if (current == '"') {
                int end = skipQuoted(sql, index, '"', false);
                words.add(sql.substring(index, end));
                written.add(sql.substring(index, end));
                index = end;
            } else if (current == '$' && next == '{') {
                int end = sql.indexOf('}', index);
                index = end < 0 ? length : end + 1;
            } else if (current == '$') {
                Matcher tag = DOLLAR_TAG.matcher(sql).region(index, length);
                if (tag.lookingAt()) {
                    int close = sql.indexOf(tag.group(), tag.end());
                    index = close < 0 ? length : close + tag.group().length();
                } else {
                    index++;
                }
            } else if (current == ';') {
                if (!words.isEmpty()) {
                    statements.add(new Statement(List.copyOf(words), List.copyOf(written)));
                    words.clear();
                    written.clear();
                }
                index++;
            } else if (Character.isLetter(current) || current == '_') {
                int end = index;
                while (end < length
                        && (Character.isLetterOrDigit(sql.charAt(end))
                                || sql.charAt(end) == '_'
                                || sql.charAt(end) == '$')) {
                    end++;
                }
                boolean escapeString = end == index + 1
                        && (current == 'E' || current == 'e')
                        && end < length
                        && sql.charAt(end) == '\'';
                if (!escapeString) {
                    words.add(sql.substring(index, end).toUpperCase(Locale.ROOT));
                    written.add(sql.substring(index, end));
                }
                index = end;
            } else {
                index++;
            }
        }
        if (!words.isEmpty()) {
            statements.add(new Statement(List.copyOf(words), List.copyOf(written)));
        }
        return List.copyOf(statements);
    }

    /** The names in the text's {@code ${name}} references, in order (a malformed one as written). */
    public static List<String> parameterReferences(String text) {
        List<String> names = new ArrayList<>();
        Matcher matcher = PARAMETER.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /** The text with each {@code ${name}} replaced by the value's text. */
    public static String substitute(String text, java.util.function.Function<String, String> valueOf) {
        Matcher matcher = PARAMETER.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(result, Matcher.quoteReplacement(valueOf.apply(matcher.group(1))));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    private static int skipBlockComment(String sql, int start) {
        int depth = 0;
        int index = start;
        while (index < sql.length() - 1) {
            if (sql.charAt(index) == '/' && sql.charAt(index + 1) == '*') {
                depth++;
                index += 2;
            } else if (sql.charAt(index) == '*' && sql.charAt(index + 1) == '/') {
                depth--;
                index += 2;
                if (depth == 0) {
                    return index;
                }
            } else {
                index++;
            }
        }
        return sql.length();
    }

    private static int skipQuoted(String sql, int start, char quote, boolean backslashEscapes) {
        int index = start + 1;
        while (index < sql.length()) {
            char current = sql.charAt(index);
            if (backslashEscapes && current == '\\') {
                index += 2;
            } else if (current == quote) {
                if (index + 1 < sql.length() && sql.charAt(index + 1) == quote) {
                    index += 2;
                } else {
                    return index + 1;
                }
            } else {
                index++;
            }
        }
        return sql.length();
    }
}
