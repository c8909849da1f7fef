package dev.lockstep.runbook.sql;

import dev.lockstep.runbook.sql.SqlStatement.Kind;
import dev.lockstep.runbook.sql.SqlStatement.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits PostgreSQL SQL text into statements the way psql splits a script, by PostgreSQL's own lexical
 * rules: a semicolon ends a statement unless it is inside a string, a quoted identifier, a dollar-quoted
 * body, a comment, parentheses (a rule's action list) or a {@code BEGIN ATOMIC ... END} body. The same
 * statements are what {@code lockstep validate} classifies and what {@code lockstep run} executes.
 *
 * <ul>
 *   <li>{@code '...'} doubles a quote ({@code ''}); a backslash is a plain character while
 *       standard_conforming_strings is on (the default since PostgreSQL 9.1) and an escape while it is off.
 *       {@code E'...'} always takes backslash escapes ({@code \'}, {@code \\}); {@code U&'...'} never does;
 *       {@code B'...'} and {@code X'...'} have no escapes; {@code N'...'} is a standard string.
 *   <li>A string continues after a closing quote when only whitespace with a newline (and line comments
 *       after it) stands before the next quote, keeping its kind: {@code E'a'}, newline, {@code 'b\';c'} is
 *       one E-string. This follows the server; psql reads its input line by line and ends the string at
 *       the line's end, so it would send that statement cut at the semicolon.
 *   <li>{@code "..."} identifiers double a quote; {@code U&"..."} too.
 *   <li>{@code $$...$$} and {@code $tag$...$tag$} bodies end only at the same tag; a {@code $1} parameter
 *       and a {@code $} inside an identifier ({@code a$b}, {@code t$$x}) start none.
 *   <li>{@code --} comments end at the line's end; {@code /* ... *}{@code /} comments nest.
 *   <li>Parentheses and, in {@code CREATE [OR REPLACE] FUNCTION|PROCEDURE}, {@code BEGIN ... END} (with
 *       the {@code CASE ... END} inside) keep a semicolon inside the statement, by psql's own heuristic.
 *   <li>{@code SET [SESSION|LOCAL] standard_conforming_strings} and {@code RESET} change how the statements
 *       after it are read, as they do in psql (which learns the new value from the server). psql rereads
 *       the setting at each input line, so a SET and a string on the same line of a psql script may read
 *       differently there.
 *   <li>{@code ${name}}, a runbook parameter reference (replaced before the server sees the text), is one
 *       token. PostgreSQL has no such token, so this moves no statement boundary.
 * </ul>
 *
 * <p>It does not parse SQL; the server does. psql's backslash commands and {@code :variable}
 * interpolation are not SQL and are not recognised.
 */
public final class SqlLexer {

    private final String script;
    private final boolean initialStandardStrings;
    private boolean standardStrings;
    private int index;

    private SqlLexer(String script, boolean standardStrings) {
        this.script = script;
        this.initialStandardStrings = standardStrings;
        this.standardStrings = standardStrings;
    }

    /** The statements of a text read with standard_conforming_strings on, as {@code validate} reads them. */
    public static List<SqlStatement> statements(String script) {
        return statements(script, true);
    }

    /**
     * The statements of a text, each without its terminating semicolon and trimmed (comments before it are
     * kept); statements with nothing but whitespace and comments are left out.
     *
     * @param standardConformingStrings the session's standard_conforming_strings at the start of the text
     */
    public static List<SqlStatement> statements(String script, boolean standardConformingStrings) {
        return new SqlLexer(script, standardConformingStrings).split();
    }

    /**
     * Whether the text splits into the same statements read with the given standard_conforming_strings as
     * with it on, the way {@code validate} reads it.
     */
    public static boolean readsAsValidated(String script, boolean standardConformingStrings) {
        return texts(statements(script, standardConformingStrings)).equals(texts(statements(script)));
    }

    private static List<String> texts(List<SqlStatement> statements) {
        return statements.stream().map(SqlStatement::text).toList();
    }

    private List<SqlStatement> split() {
        List<SqlStatement> statements = new ArrayList<>();
        List<Token> tokens = new ArrayList<>();
        StatementEnd end = new StatementEnd();
        int start = 0;
        for (Token token = next(); token != null; token = next()) {
            if (token.is(Kind.OTHER, ";") && end.reached()) {
                add(statements, start, token.offset(), tokens);
                tokens.clear();
                end = new StatementEnd();
                start = token.offset() + 1;
            } else {
                end.see(token);
                tokens.add(token);
            }
        }
        add(statements, start, script.length(), tokens);
        return List.copyOf(statements);
    }

    private void add(List<SqlStatement> statements, int from, int to, List<Token> tokens) {
        if (tokens.isEmpty()) {
            return;
        }
        int begin = from;
        while (begin < to && isSpace(script.charAt(begin))) {
            begin++;
        }
        int end = to;
        while (end > begin && isSpace(script.charAt(end - 1))) {
            end--;
        }
        List<Token> shifted = new ArrayList<>(tokens.size());
        for (Token token : tokens) {
            shifted.add(new Token(token.kind(), token.text(), token.offset() - begin));
        }
        SqlStatement statement = new SqlStatement(script.substring(begin, end), shifted);
        statements.add(statement);
        follow(statement);
    }

    /** SET / RESET standard_conforming_strings: how the following statements' strings are read. */
    private void follow(SqlStatement statement) {
        List<Token> tokens = statement.tokens();
        if (tokens.size() >= 2 && word(tokens.get(0), "RESET")) {
            if (word(tokens.get(1), "STANDARD_CONFORMING_STRINGS") || word(tokens.get(1), "ALL")) {
                standardStrings = initialStandardStrings;
            }
            return;
        }
        if (tokens.isEmpty() || !word(tokens.get(0), "SET")) {
            return;
        }
        int at = 1;
        if (at < tokens.size() && (word(tokens.get(at), "SESSION") || word(tokens.get(at), "LOCAL"))) {
            at++;
        }
        if (at >= tokens.size() || !word(tokens.get(at), "STANDARD_CONFORMING_STRINGS")) {
            return;
        }
        at++;
        if (at < tokens.size() && (word(tokens.get(at), "TO") || tokens.get(at).is(Kind.OTHER, "="))) {
            at++;
        }
        if (at >= tokens.size()) {
            return;
        }
        Token value = tokens.get(at);
        String text = value.kind() == Kind.STRING
                        && value.text().startsWith("'")
                        && value.text().length() >= 2
                ? value.text().substring(1, value.text().length() - 1)
                : value.text();
        switch (text.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes", "1" -> standardStrings = true;
            case "off", "false", "no", "0" -> standardStrings = false;
            case "default" -> standardStrings = initialStandardStrings;
            default -> {
                // the server refuses the value; the setting stays as it was
            }
        }
    }

    private static boolean word(Token token, String upperCase) {
        return token.kind() == Kind.WORD
                && token.text().toUpperCase(Locale.ROOT).equals(upperCase);
    }

    /** The next token, after whitespace and comments; null at the end of the text. */
    private Token next() {
        skipSpaceAndComments();
        if (index >= script.length()) {
            return null;
        }
        int start = index;
        char current = script.charAt(index);
        char next = charAt(index + 1);
        if (current == '\'') {
            return string(start, start, standardStrings ? Quoting.STANDARD : Quoting.ESCAPE);
        }
        if (current == '"') {
            return quotedIdentifier(start, start);
        }
        if (next == '\'') {
            switch (current) {
                case 'E', 'e':
                    return string(start, start + 1, Quoting.ESCAPE);
                case 'N', 'n':
                    return string(start, start + 1, standardStrings ? Quoting.STANDARD : Quoting.ESCAPE);
                case 'B', 'b', 'X', 'x':
                    return string(start, start + 1, Quoting.BITS);
                default:
                    break;
            }
        }
        if ((current == 'U' || current == 'u') && next == '&') {
            char quote = charAt(index + 2);
            if (quote == '\'') {
                return string(start, start + 2, Quoting.UNICODE);
            }
            if (quote == '"') {
                return quotedIdentifier(start, start + 2);
            }
        }
        if (isIdentifierStart(current)) {
            index++;
            while (index < script.length() && isIdentifierPart(script.charAt(index))) {
                index++;
            }
            return token(Kind.WORD, start);
        }
        if (isDigit(current)) {
            return number(start);
        }
        if (current == '$') {
            return dollar(start);
        }
        if (current == ':' && next == ':') {
            index += 2;
            return token(Kind.CAST, start);
        }
        index++;
        return token(Kind.OTHER, start);
    }

    private void skipSpaceAndComments() {
        while (index < script.length()) {
            char current = script.charAt(index);
            char next = charAt(index + 1);
            if (isSpace(current)) {
                index++;
            } else if (current == '-' && next == '-') {
                while (index < script.length() && !isNewline(script.charAt(index))) {
                    index++;
                }
            } else if (current == '/' && next == '*') {
                skipBlockComment();
            } else {
                return;
            }
        }
    }

    /** A block comment, nested ones included: the server's and psql's {@code xc} state. */
    private void skipBlockComment() {
        int depth = 1;
        index += 2;
        while (index < script.length() && depth > 0) {
            if (script.startsWith("/*", index)) {
                depth++;
                index += 2;
            } else if (script.startsWith("*/", index)) {
                depth--;
                index += 2;
            } else {
                index++;
            }
        }
        index = Math.min(index, script.length());
    }

    private enum Quoting {
        /** {@code '...'} with standard_conforming_strings on, {@code N'...'}: only {@code ''} escapes. */
        STANDARD,
        /** {@code E'...'}, and {@code '...'} with standard_conforming_strings off: {@code \x} and {@code ''}. */
        ESCAPE,
        /** {@code U&'...'}: {@code ''} escapes; a backslash starts a Unicode escape, never a quote. */
        UNICODE,
        /** {@code B'...'}, {@code X'...'}: no escapes; the first quote ends them. */
        BITS
    }

    private Token string(int start, int quote, Quoting quoting) {
        index = quote + 1;
        while (index < script.length()) {
            char current = script.charAt(index);
            if (current == '\\' && quoting == Quoting.ESCAPE) {
                index += 2;
            } else if (current == '\'') {
                if (quoting != Quoting.BITS && charAt(index + 1) == '\'') {
                    index += 2;
                } else {
                    int continued = continuation(index + 1);
                    if (continued < 0) {
                        index++;
                        break;
                    }
                    index = continued;
                }
            } else {
                index++;
            }
        }
        index = Math.min(index, script.length());
        return token(Kind.STRING, start);
    }

    /**
     * Where a string continues after its closing quote (just past the next opening quote), or -1: the
     * server's {@code quotecontinue}, whitespace that holds a newline, with line comments after it.
     */
    private int continuation(int from) {
        int at = from;
        while (at < script.length() && isHorizontalSpace(script.charAt(at))) {
            at++;
        }
        if (at >= script.length() || !isNewline(script.charAt(at))) {
            return -1;
        }
        at++;
        while (at < script.length()) {
            char current = script.charAt(at);
            if (isSpace(current)) {
                at++;
            } else if (current == '-' && charAt(at + 1) == '-') {
                while (at < script.length() && !isNewline(script.charAt(at))) {
                    at++;
                }
                if (at >= script.length()) {
                    return -1;
                }
            } else {
                break;
            }
        }
        return charAt(at) == '\'' ? at + 1 : -1;
    }

    private Token quotedIdentifier(int start, int quote) {
        index = quote + 1;
        while (index < script.length()) {
            if (script.charAt(index) == '"') {
                if (charAt(index + 1) == '"') {
                    index += 2;
                    continue;
                }
                index++;
                break;
            }
            index++;
        }
        return token(Kind.QUOTED_IDENTIFIER, start);
    }

    /** Digits, a fraction unless {@code ..} follows (a range), an exponent only with its digits. */
    private Token number(int start) {
        skipDigits();
        if (charAt(index) == '.' && charAt(index + 1) != '.') {
            index++;
            skipDigits();
        }
        char exponent = charAt(index);
        if (exponent == 'e' || exponent == 'E') {
            int at = index + 1;
            if (charAt(at) == '+' || charAt(at) == '-') {
                at++;
            }
            if (isDigit(charAt(at))) {
                index = at;
                skipDigits();
            }
        }
        return token(Kind.NUMBER, start);
    }

    private void skipDigits() {
        while (isDigit(charAt(index)) || charAt(index) == '_') {
            index++;
        }
    }

    /** {@code $1}, {@code $tag$...$tag$}, {@code ${name}}, or a lone {@code $}. */
    private Token dollar(int start) {
        char next = charAt(index + 1);
        if (isDigit(next)) {
            index++;
            while (isDigit(charAt(index))) {
                index++;
            }
            return token(Kind.POSITIONAL_PARAMETER, start);
        }
        if (next == '{') {
            int close = index + 2;
            while (close < script.length() && script.charAt(close) != '}' && !isNewline(script.charAt(close))) {
                close++;
            }
            if (charAt(close) == '}') {
                index = close + 1;
                return token(Kind.RUNBOOK_PARAMETER, start);
            }
        }
        if (next == '$' || isIdentifierStart(next)) {
            int at = index + 1;
            while (at < script.length() && isDollarTagPart(script.charAt(at))) {
                at++;
            }
            if (charAt(at) == '$') {
                String tag = script.substring(index, at + 1);
                int close = script.indexOf(tag, at + 1);
                index = close < 0 ? script.length() : close + tag.length();
                return token(Kind.DOLLAR_STRING, start);
            }
        }
        index++;
        return token(Kind.OTHER, start);
    }

    private Token token(Kind kind, int start) {
        return new Token(kind, script.substring(start, index), start);
    }

    private char charAt(int at) {
        return at < script.length() ? script.charAt(at) : '\0';
    }

    /** PostgreSQL's whitespace: space, tab, newline, carriage return, form feed, vertical tab. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static boolean isHorizontalSpace(char c) {
        return c == ' ' || c == '\t' || c == '\f' || c == '\u000B';
    }

    private static boolean isNewline(char c) {
        return c == '\n' || c == '\r';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** ASCII letters, underscore, and every non-ASCII character (PostgreSQL's bytes 0x80 to 0xFF). */
    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || isDigit(c) || c == '$';
    }

    private static boolean isDollarTagPart(char c) {
        return isIdentifierStart(c) || isDigit(c);
    }

    /**
     * Where psql lets a semicolon end the statement: outside parentheses and outside the {@code BEGIN ...
     * END} body of a {@code CREATE [OR REPLACE] FUNCTION|PROCEDURE} (psqlscan.l's heuristic, word for word:
     * it looks at the first four words, counts BEGIN and END outside parentheses, and CASE inside a BEGIN).
     */
    private static final class StatementEnd {
        private int parentheses;
        private int begins;
        private int words;
        private final char[] leadingWords = new char[4];

        void see(Token token) {
            if (token.is(Kind.OTHER, "(")) {
                parentheses++;
            } else if (token.is(Kind.OTHER, ")")) {
                parentheses = Math.max(0, parentheses - 1);
            } else if (token.kind() == Kind.WORD) {
                String word = token.text().toLowerCase(Locale.ROOT);
                if (words < leadingWords.length
                        && List.of("create", "function", "procedure", "or", "replace")
                                .contains(word)) {
                    leadingWords[words] = word.charAt(0);
                }
                words++;
                if (createsRoutine() && parentheses == 0) {
                    switch (word) {
                        case "begin" -> begins++;
                        case "case" -> begins += begins >= 1 ? 1 : 0;
                        case "end" -> begins = Math.max(0, begins - 1);
                        default -> {}
                    }
                }
            }
        }

        private boolean createsRoutine() {
            return leadingWords[0] == 'c'
                    && (leadingWords[1] == 'f'
                            || leadingWords[1] == 'p'
                            || (leadingWords[1] == 'o'
                                    && leadingWords[2] == 'r'
                                    && (leadingWords[3] == 'f' || leadingWords[3] == 'p')));
        }

        boolean reached() {
            return parentheses == 0 && begins == 0;
        }
    }
}
