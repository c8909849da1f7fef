package dev.lockstep.runbook.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One statement of a SQL text as {@link SqlLexer} found it: its text as written (trimmed, without the
 * terminating semicolon, comments kept) and its tokens (comments and whitespace are not tokens). What is
 * inside strings, comments, quoted identifiers and dollar-quoted bodies is never a word, so a {@code DROP}
 * in a comment or a {@code :to} in a string counts for nothing.
 *
 * @param text what is sent to the server
 * @param tokens the statement's tokens in order, their offsets into {@code text}
 */
public record SqlStatement(String text, List<Token> tokens) {

    private static final Set<String> DML = Set.of("INSERT", "UPDATE", "DELETE", "MERGE");
    private static final Set<String> READS = Set.of("SELECT", "VALUES", "TABLE", "SHOW", "WITH", "EXPLAIN");
    private static final Set<String> NOT_A_DROP_OF_DATA = Set.of("NOT", "DEFAULT", "IDENTITY", "EXPRESSION");

    public SqlStatement {
        tokens = List.copyOf(tokens);
    }

    public enum Kind {
        /** A keyword or an unquoted identifier ({@code select}, {@code a$b}). */
        WORD,
        /** {@code "a;b"}, {@code U&"d\0061t"}. */
        QUOTED_IDENTIFIER,
        /** {@code 'x'}, {@code E'x'}, {@code U&'x'}, {@code N'x'}, {@code B'1'}, {@code X'1F'}, continued or not. */
        STRING,
        /** {@code $$...$$}, {@code $tag$...$tag$}. */
        DOLLAR_STRING,
        NUMBER,
        /** {@code $1}. */
        POSITIONAL_PARAMETER,
        /** {@code ${name}}, a runbook parameter reference. */
        RUNBOOK_PARAMETER,
        /** {@code ::}. */
        CAST,
        /** Any other single character: operators, punctuation, {@code ;}, {@code (}, {@code :}, {@code ?}. */
        OTHER
    }

    /** A token: its kind, its text as written and where it starts. */
    public record Token(Kind kind, String text, int offset) {
        public boolean is(Kind wanted, String written) {
            return kind == wanted && text.equals(written);
        }

        int end() {
            return offset + text.length();
        }
    }

    /** The words: keywords and plain identifiers upper-cased, quoted identifiers as written. */
    public List<String> words() {
        return words(false, false);
    }

    /** The first word, upper-cased ("" when there is none). */
    public String first() {
        List<String> words = words();
        return words.isEmpty() ? "" : words.get(0);
    }

    /** The first few words as written, for messages: "ALTER TABLE customer DROP". */
    public String head(int count) {
        List<String> written = words(true, false);
        return String.join(" ", written.subList(0, Math.min(count, written.size())));
    }

    public boolean isDml() {
        if (DML.contains(first())) {
            return true;
        }
        return first().equals("WITH") && dmlInside(words());
    }

    /** INSERT/UPDATE/DELETE/MERGE anywhere but in FOR UPDATE / FOR NO KEY UPDATE row locks. */
    private static boolean dmlInside(List<String> words) {
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
        List<String> words = words();
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
        List<String> words = words();
        return first().equals("ALTER")
                && (words.contains("RENAME")
                        || (words.size() > 1 && words.get(1).equals("TABLE") && words.contains("TYPE")));
    }

    /** CREATE TABLE or ALTER TABLE ... ADD [COLUMN]: new shape that a contract runbook must not add. */
    public boolean isExpandWork() {
        List<String> words = words();
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

    /** A query that only reads: SELECT, VALUES, TABLE, SHOW, EXPLAIN, or WITH without DML. */
    public boolean isReadOnly() {
        List<String> words = words();
        return READS.contains(first()) && !dmlInside(words) && !words.contains("INTO");
    }

    /**
     * Whether the statement must run outside a transaction block. PostgreSQL refuses these in one: CREATE
     * and DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, REINDEX SCHEMA/DATABASE/SYSTEM, VACUUM, CLUSTER
     * without a table, ALTER SYSTEM, CREATE/DROP DATABASE, CREATE/DROP TABLESPACE, ALTER DATABASE ... SET
     * TABLESPACE, ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY, DISCARD ALL. {@code ALTER TYPE ... ADD
     * VALUE} is refused there before PostgreSQL 12 and cannot use the new value in the same transaction
     * after, so it runs on its own everywhere. Words inside parentheses (an option list, a column list) do
     * not name the command.
     */
    public boolean refusesTransaction() {
        List<String> words = words(false, true);
        String first = wordAt(words, 0);
        String second = wordAt(words, 1);
        switch (first) {
            case "VACUUM":
                return true;
            case "CLUSTER":
                return words.stream().skip(1).allMatch("VERBOSE"::equals);
            case "DISCARD":
                return second.equals("ALL");
            case "CREATE":
                int index = second.equals("UNIQUE") ? 2 : 1;
                return Set.of("DATABASE", "TABLESPACE").contains(second)
                        || (wordAt(words, index).equals("INDEX")
                                && wordAt(words, index + 1).equals("CONCURRENTLY"));
            case "DROP":
                return Set.of("DATABASE", "TABLESPACE").contains(second)
                        || (second.equals("INDEX") && wordAt(words, 2).equals("CONCURRENTLY"));
            case "REINDEX":
                // the CONCURRENTLY option may also stand in the option list: REINDEX (CONCURRENTLY) TABLE t
                return Set.of("SCHEMA", "DATABASE", "SYSTEM").contains(second) || words().contains("CONCURRENTLY");
            case "ALTER":
                switch (second) {
                    case "SYSTEM":
                        return true;
                    case "DATABASE":
                        return indexOfPair(words, "SET", "TABLESPACE") > 0;
                    case "TABLE":
                        int detach = indexOfPair(words, "DETACH", "PARTITION");
                        return detach > 0 && words.subList(detach, words.size()).contains("CONCURRENTLY");
                    case "TYPE":
                        return indexOfPair(words, "ADD", "VALUE") > 0;
                    default:
                        return false;
                }
            default:
                return false;
        }
    }

    /** The names of the {@code :name} placeholders, in order ({@code ::type} casts are not placeholders). */
    public List<String> placeholders() {
        List<String> names = new ArrayList<>();
        for (int index = 0; index < tokens.size(); index++) {
            if (isPlaceholder(index)) {
                names.add(tokens.get(index + 1).text());
            }
        }
        return List.copyOf(names);
    }

    /** The statement for a JDBC PreparedStatement, and the names of its {@code ?} parameters in order. */
    public record Bound(String jdbcSql, List<String> parameterNames) {}

    /**
     * Replaces the {@code :name} placeholders of the given names by JDBC's {@code ?}, and writes every
     * {@code ?} of the statement itself (the jsonb operators {@code ?}, {@code ?|}, {@code ?&}) as {@code ??},
     * which the PostgreSQL JDBC driver sends as one {@code ?} instead of taking it for a parameter.
     */
    public Bound bindNamed(List<String> names) {
        return bind(names, Map.of(), Set.of(), true);
    }

    /**
     * {@link #bindNamed}, with the placeholders named in {@code inlined} written as the given SQL expression
     * (parenthesised by the caller) instead of a parameter: a backfill batch that computes its {@code :to} in
     * the same statement refers to it this way.
     */
    public Bound bindNamed(List<String> names, Map<String, String> inlined) {
        return bind(names, inlined, Set.of(), true);
    }

    /**
     * The statement with each {@code :name} placeholder of {@code inlined} written as the given SQL, for a server
     * that runs it itself (PL/pgSQL's {@code EXECUTE ... USING}, where {@code $1} is a parameter and {@code ?} is
     * the jsonb operator it reads, not JDBC's parameter).
     */
    public String inlineNamed(Map<String, String> inlined) {
        return bind(List.of(), inlined, Set.of(), false).jdbcSql();
    }

    /** Whether the statement has a {@code RETURNING} clause (a data-modifying statement's result rows). */
    public boolean returnsRows() {
        return words().contains("RETURNING");
    }

    /**
     * {@link #bindNamed}, with each comparison against {@code :lower} made inclusive: {@code x > :lower} becomes
     * {@code x >= :lower} and {@code :lower < x} becomes {@code :lower <= x}. A backfill's first batch needs it
     * when its smallest key is the type's minimum (the smallest bigint, the nil UUID, the empty string): nothing
     * lies below that key to serve as the exclusive {@code :from}, and {@code key >= smallest} is what
     * {@code key > (anything below it)} means. Empty when {@code :lower} stands in any other place (an operand of
     * arithmetic, BETWEEN, a function argument), where the change could alter the meaning.
     */
    public Optional<Bound> bindNamedWithInclusive(List<String> names, String lower) {
        Set<Integer> widened = new java.util.HashSet<>();
        for (int index = 0; index < tokens.size(); index++) {
            if (!isPlaceholder(index) || !tokens.get(index + 1).text().equals(lower)) {
                continue;
            }
            int before = index - 1;
            int after = skipCasts(index + 2);
            if (isLoneOperator(before, ">") && endsOperand(after)) {
                widened.add(before);
            } else if (isLoneOperator(after, "<") && startsOperand(before)) {
                widened.add(after);
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(bind(names, Map.of(), widened, true));
    }

    private Bound bind(List<String> names, Map<String, String> inlined, Set<Integer> widened, boolean forJdbc) {
        StringBuilder sql = new StringBuilder(text.length());
        List<String> order = new ArrayList<>();
        int copied = 0;
        for (int index = 0; index < tokens.size(); index++) {
            Token token = tokens.get(index);
            if (isPlaceholder(index)
                    && inlined.containsKey(tokens.get(index + 1).text())) {
                Token name = tokens.get(index + 1);
                sql.append(text, copied, token.offset()).append(inlined.get(name.text()));
                copied = name.end();
                index++;
            } else if (isPlaceholder(index)
                    && names.contains(tokens.get(index + 1).text())) {
                Token name = tokens.get(index + 1);
                sql.append(text, copied, token.offset()).append('?');
                order.add(name.text());
                copied = name.end();
                index++;
            } else if (forJdbc && token.is(Kind.OTHER, "?")) {
                sql.append(text, copied, token.end()).append('?');
                copied = token.end();
            } else if (widened.contains(index)) {
                sql.append(text, copied, token.end()).append('=');
                copied = token.end();
            }
        }
        sql.append(text, copied, text.length());
        return new Bound(sql.toString(), List.copyOf(order));
    }

    private static final String OPERATOR_CHARACTERS = "+-*/<>=~!@#%^&|`?";

    /** Words that bind tighter than a comparison and so would take a placeholder before them as their operand. */
    private static final Set<String> TIGHTER_THAN_COMPARISON =
            Set.of("BETWEEN", "IN", "LIKE", "ILIKE", "SIMILAR", "AT");

    /** {@code index} is the operator {@code written} alone, not a character of a longer one ({@code >=}, {@code ->>}). */
    private boolean isLoneOperator(int index, String written) {
        if (index < 0 || index >= tokens.size() || !tokens.get(index).is(Kind.OTHER, written)) {
            return false;
        }
        Token token = tokens.get(index);
        return !(index > 0
                        && isOperatorCharacter(tokens.get(index - 1))
                        && tokens.get(index - 1).end() == token.offset())
                && !(index + 1 < tokens.size()
                        && isOperatorCharacter(tokens.get(index + 1))
                        && tokens.get(index + 1).offset() == token.end());
    }

    private static boolean isOperatorCharacter(Token token) {
        return token.kind() == Kind.OTHER && OPERATOR_CHARACTERS.contains(token.text());
    }

    /** The index after any {@code ::type} casts starting at {@code index}. */
    private int skipCasts(int index) {
        while (index + 1 < tokens.size()
                && tokens.get(index).kind() == Kind.CAST
                && tokens.get(index + 1).kind() == Kind.WORD) {
            index += 2;
        }
        return index;
    }

    /** The operand before {@code index} ended there: nothing follows that binds tighter than a comparison. */
    private boolean endsOperand(int index) {
        if (index >= tokens.size()) {
            return true;
        }
        Token token = tokens.get(index);
        return token.is(Kind.OTHER, ")")
                || token.is(Kind.OTHER, ",")
                || token.is(Kind.OTHER, ";")
                || (token.kind() == Kind.WORD
                        && !TIGHTER_THAN_COMPARISON.contains(token.text().toUpperCase(Locale.ROOT)));
    }

    /** An operand starts after {@code index}: nothing before it binds tighter than a comparison. */
    private boolean startsOperand(int index) {
        if (index < 0) {
            return true;
        }
        Token token = tokens.get(index);
        return token.is(Kind.OTHER, "(")
                || token.is(Kind.OTHER, ",")
                || (token.kind() == Kind.WORD
                        && !TIGHTER_THAN_COMPARISON.contains(token.text().toUpperCase(Locale.ROOT)));
    }

    private boolean isPlaceholder(int index) {
        if (index + 1 >= tokens.size()) {
            return false;
        }
        Token colon = tokens.get(index);
        Token name = tokens.get(index + 1);
        return colon.is(Kind.OTHER, ":") && name.kind() == Kind.WORD && name.offset() == colon.end();
    }

    /**
     * The relation the statement changes or locks, as written ({@code public."Orders"}, ready for
     * {@code to_regclass}): the table of ALTER TABLE, UPDATE, INSERT INTO, DELETE FROM, MERGE INTO, LOCK,
     * TRUNCATE, DROP TABLE, CREATE INDEX ... ON and REINDEX TABLE; empty for anything else.
     */
    public Optional<String> targetRelation() {
        Names names = new Names(outsideParentheses());
        switch (names.upper(0)) {
            case "ALTER":
                return names.upper(1).equals("TABLE") ? names.nameAfter(2, "IF", "EXISTS", "ONLY") : Optional.empty();
            case "UPDATE":
                return names.nameAfter(1, "ONLY");
            case "INSERT", "MERGE":
                return names.upper(1).equals("INTO") ? names.nameAfter(2) : Optional.empty();
            case "DELETE":
                return names.upper(1).equals("FROM") ? names.nameAfter(2, "ONLY") : Optional.empty();
            case "LOCK", "TRUNCATE":
                return names.nameAfter(1, "TABLE", "ONLY");
            case "DROP":
                return names.upper(1).equals("TABLE") ? names.nameAfter(2, "IF", "EXISTS") : Optional.empty();
            case "REINDEX":
                return names.upper(1).equals("TABLE") ? names.nameAfter(2, "CONCURRENTLY") : Optional.empty();
            case "CREATE":
                int on = names.indexOfWord("ON");
                return on > 0 && createsIndex(names) ? names.nameAfter(on + 1, "ONLY") : Optional.empty();
            default:
                return Optional.empty();
        }
    }

    /** The index a CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name statement names, as written. */
    public Optional<String> createdIndex() {
        Names names = new Names(outsideParentheses());
        if (!createsIndex(names)) {
            return Optional.empty();
        }
        int index = names.indexOfWord("INDEX") + 1;
        if (names.upper(index).equals("CONCURRENTLY")) {
            index++;
        }
        if (names.upper(index).equals("ON")) {
            return Optional.empty();
        }
        return names.nameAfter(index, "IF", "NOT", "EXISTS");
    }

    /** The constraint of ALTER TABLE ... VALIDATE CONSTRAINT name, as written. */
    public Optional<String> validatedConstraint() {
        Names names = new Names(outsideParentheses());
        if (!names.upper(0).equals("ALTER") || !names.upper(1).equals("TABLE")) {
            return Optional.empty();
        }
        for (int index = 2; index + 1 < names.tokens.size(); index++) {
            if (names.upper(index).equals("VALIDATE") && names.upper(index + 1).equals("CONSTRAINT")) {
                return names.nameAfter(index + 2);
            }
        }
        return Optional.empty();
    }

    private static boolean createsIndex(Names names) {
        int index = names.upper(1).equals("UNIQUE") ? 2 : 1;
        return names.upper(0).equals("CREATE") && names.upper(index).equals("INDEX");
    }

    /** The tokens outside parentheses: a column list or an option list never names the relation. */
    private List<Token> outsideParentheses() {
        List<Token> outside = new ArrayList<>();
        int depth = 0;
        for (Token token : tokens) {
            if (token.is(Kind.OTHER, "(")) {
                depth++;
            } else if (token.is(Kind.OTHER, ")")) {
                depth = Math.max(0, depth - 1);
            } else if (depth == 0) {
                outside.add(token);
            }
        }
        return outside;
    }

    /** Reads words and dotted names from a token list. */
    private record Names(List<Token> tokens) {
        String upper(int index) {
            if (index >= tokens.size() || tokens.get(index).kind() != Kind.WORD) {
                return "";
            }
            return tokens.get(index).text().toUpperCase(Locale.ROOT);
        }

        int indexOfWord(String word) {
            for (int index = 0; index < tokens.size(); index++) {
                if (upper(index).equals(word)) {
                    return index;
                }
            }
            return -1;
        }

        /** The dotted name at {@code index}, after skipping any of the optional words. */
        Optional<String> nameAfter(int index, String... optional) {
            List<String> skippable = List.of(optional);
            while (index < tokens.size() && skippable.contains(upper(index))) {
                index++;
            }
            StringBuilder name = new StringBuilder();
            while (index < tokens.size() && isName(tokens.get(index))) {
                name.append(tokens.get(index).text());
                if (index + 2 < tokens.size() && tokens.get(index + 1).is(Kind.OTHER, ".")) {
                    name.append('.');
                    index += 2;
                } else {
                    break;
                }
            }
            return name.isEmpty() ? Optional.empty() : Optional.of(name.toString());
        }

        private static boolean isName(Token token) {
            return token.kind() == Kind.WORD || token.kind() == Kind.QUOTED_IDENTIFIER;
        }
    }

    private List<String> words(boolean asWritten, boolean outsideParentheses) {
        List<String> words = new ArrayList<>();
        int depth = 0;
        for (Token token : tokens) {
            if (token.is(Kind.OTHER, "(")) {
                depth++;
            } else if (token.is(Kind.OTHER, ")")) {
                depth = Math.max(0, depth - 1);
            } else if (outsideParentheses && depth > 0) {
                continue;
            } else if (token.kind() == Kind.WORD) {
                words.add(asWritten ? token.text() : token.text().toUpperCase(Locale.ROOT));
            } else if (token.kind() == Kind.QUOTED_IDENTIFIER) {
                words.add(token.text());
            }
        }
        return words;
    }

    private static String wordAt(List<String> words, int index) {
        return index < words.size() ? words.get(index) : "";
    }

    private static int indexOfPair(List<String> words, String first, String second) {
        for (int index = 0; index + 1 < words.size(); index++) {
            if (words.get(index).equals(first) && words.get(index + 1).equals(second)) {
                return index;
            }
        }
        return -1;
    }
}
