package dev.lockstep.runbook.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Where statements end, case by case, without a database. {@link SqlLexerPsqlTest} checks the same kinds of
 * script against the statements psql itself sends.
 */
class SqlLexerTest {

    private static List<String> texts(String script) {
        return SqlLexer.statements(script).stream().map(SqlStatement::text).toList();
    }

    private static List<String> textsWithStandardStringsOff(String script) {
        return SqlLexer.statements(script, false).stream()
                .map(SqlStatement::text)
                .toList();
    }

    @Nested
    class EscapeStrings {
        @Test
        void aBackslashQuoteDoesNotEndAnEString() {
            assertThat(texts("select E'it\\'s; fine'; select 2")).containsExactly("select E'it\\'s; fine'", "select 2");
            assertThat(texts("select e'it\\'s; fine'")).hasSize(1);
        }

        @Test
        void anEscapedBackslashDoes() {
            assertThat(texts("select E'\\\\'; select 'x'")).containsExactly("select E'\\\\'", "select 'x'");
            assertThat(texts("select E'\\\\\\'; still one'")).containsExactly("select E'\\\\\\'; still one'");
        }

        @Test
        void aDoubledQuoteIsAnEscapeToo() {
            assertThat(texts("select E'it''s; fine'")).hasSize(1);
        }

        @Test
        void onlyAnEStandingAloneStartsOne() {
            // name'a\' is a typed literal of type name: a standard string, the backslash is a plain character
            assertThat(texts("select name'a\\'; select 2")).containsExactly("select name'a\\'", "select 2");
        }
    }

    @Nested
    class StandardStrings {
        @Test
        void aBackslashIsAPlainCharacter() {
            assertThat(texts("select 'a\\'; select 'b'")).containsExactly("select 'a\\'", "select 'b'");
        }

        @Test
        void aDoubledQuoteIsTheOnlyEscape() {
            assertThat(texts("select 'it''s; fine'; select 2")).containsExactly("select 'it''s; fine'", "select 2");
        }

        @Test
        void nationalStringsAreStandardStrings() {
            assertThat(texts("select N'a\\'; select 2")).hasSize(2);
        }

        @Test
        void bitStringsHaveNoEscapes() {
            assertThat(texts("select B'1010', X'1F'; select b'0'; select x'a'"))
                    .containsExactly("select B'1010', X'1F'", "select b'0'", "select x'a'");
        }

        @Test
        void unicodeStringsNeverTakeABackslashQuote() {
            assertThat(texts("select U&'a\\' UESCAPE '!'; select 2"))
                    .containsExactly("select U&'a\\' UESCAPE '!'", "select 2");
            assertThat(texts("select u&'d\\0061t\\+000061;'; select 2")).hasSize(2);
        }

        @Test
        void anUnterminatedStringRunsToTheEnd() {
            assertThat(texts("select 'a; select 2")).containsExactly("select 'a; select 2");
        }
    }

    @Nested
    class StandardConformingStringsOff {
        @Test
        void aBackslashEscapesInPlainStrings() {
            assertThat(textsWithStandardStringsOff("select 'a\\'; b'; select 2"))
                    .containsExactly("select 'a\\'; b'", "select 2");
            assertThat(textsWithStandardStringsOff("select N'a\\'; b'")).hasSize(1);
        }

        @Test
        void unicodeAndBitStringsStayWithoutBackslashEscapes() {
            assertThat(textsWithStandardStringsOff("select U&'a\\' UESCAPE '!'; select B'1'; select 2"))
                    .hasSize(3);
        }

        @Test
        void setAndResetChangeTheStatementsAfterThem() {
            assertThat(
                            texts(
                                    """
                            select 'a\\'; select 1;
                            set standard_conforming_strings = off;
                            select 'b\\'; still b';
                            set session standard_conforming_strings to 'on';
                            select 'c\\'; select 2;
                            SET LOCAL STANDARD_CONFORMING_STRINGS = false;
                            select 'd\\'; still d';
                            reset standard_conforming_strings;
                            select 'e\\'; select 3;
                            """))
                    .containsExactly(
                            "select 'a\\'",
                            "select 1",
                            "set standard_conforming_strings = off",
                            "select 'b\\'; still b'",
                            "set session standard_conforming_strings to 'on'",
                            "select 'c\\'",
                            "select 2",
                            "SET LOCAL STANDARD_CONFORMING_STRINGS = false",
                            "select 'd\\'; still d'",
                            "reset standard_conforming_strings",
                            "select 'e\\'",
                            "select 3");
        }

        @Test
        void onlyABackslashBeforeAQuoteReadsOtherwiseThanValidate() {
            assertThat(SqlLexer.readsAsValidated("select 'a\\'; b'", false)).isFalse();
            assertThat(SqlLexer.readsAsValidated("select 'a\\b', E'\\'', 'it''s'; select $$\\'$$", false))
                    .isTrue();
        }

        @Test
        void resetGoesBackToTheSessionsValueNotToOn() {
            assertThat(textsWithStandardStringsOff(
                            "set standard_conforming_strings = on; reset all; select 'a\\'; b'; select 2"))
                    .containsExactly(
                            "set standard_conforming_strings = on", "reset all", "select 'a\\'; b'", "select 2");
        }
    }

    @Nested
    class ContinuedStrings {
        @Test
        void aStringContinuesAfterANewlineKeepingItsKind() {
            // the second part is still an E-string: the server reads one statement ('ab'';c')
            assertThat(texts("select E'a'\n'b\\';c' as x; select 2"))
                    .containsExactly("select E'a'\n'b\\';c' as x", "select 2");
        }

        @Test
        void lineCommentsMayStandBetweenAfterTheNewline() {
            assertThat(texts("select E'a'  \n-- between\n  'b\\';c'; select 2")).hasSize(2);
        }

        @Test
        void withoutANewlineItIsANewString() {
            assertThat(texts("select E'a' 'b\\'; select 2")).containsExactly("select E'a' 'b\\'", "select 2");
            assertThat(texts("select E'a' -- no newline before the comment\n'b\\'; select 2"))
                    .hasSize(2);
        }
    }

    @Nested
    class DollarQuotes {
        @Test
        void anUntaggedBodyEndsAtTheNextDoubleDollar() {
            assertThat(texts("select $$a; b$$; select 2")).containsExactly("select $$a; b$$", "select 2");
        }

        @Test
        void aTaggedBodyEndsOnlyAtItsOwnTag() {
            String function =
                    """
                    create function f() returns text language plpgsql as $fn$
                    begin
                      return $$it's; $fn not yet$$ || $q$ $a$; $$ $q$;
                    end
                    $fn$""";
            assertThat(texts(function + "; select 2")).containsExactly(function, "select 2");
        }

        @Test
        void tagsAreCaseSensitive() {
            assertThat(texts("select $A$ ; $a$ ; $A$; select 2")).containsExactly("select $A$ ; $a$ ; $A$", "select 2");
        }

        @Test
        void parametersAndDollarsInIdentifiersStartNone() {
            assertThat(texts("prepare p(int) as select $1; execute p(1); select 2"))
                    .containsExactly("prepare p(int) as select $1", "execute p(1)", "select 2");
            assertThat(texts("select a$$ from t$$x; select $1$$"))
                    .containsExactly("select a$$ from t$$x", "select $1$$");
            assertThat(texts("select x$y$; select 2")).hasSize(2);
        }

        @Test
        void anUnterminatedBodyRunsToTheEnd() {
            assertThat(texts("select $x$ a; select 2")).hasSize(1);
        }
    }

    @Nested
    class Comments {
        @Test
        void blockCommentsNest() {
            assertThat(texts("/* outer /* inner; */ still; */ select 1; select 2 /* a; /* b; */ c; */"))
                    .containsExactly("/* outer /* inner; */ still; */ select 1", "select 2 /* a; /* b; */ c; */");
        }

        @Test
        void lineCommentsEndAtTheLinesEnd() {
            assertThat(texts("select 1 -- a; b\n, 2; select 3 -- c;\r; select 4"))
                    .containsExactly("select 1 -- a; b\n, 2", "select 3 -- c;", "select 4");
        }

        @Test
        void aStatementOfCommentsOnlyIsLeftOut() {
            assertThat(texts("select 1; -- only a comment;\n /* and; this */ ; ;"))
                    .containsExactly("select 1");
        }

        @Test
        void commentsBeforeAStatementStayWithIt() {
            assertThat(texts("create table a(x text default ';'); -- c;\n create index concurrently i on a(x);"))
                    .containsExactly(
                            "create table a(x text default ';')", "-- c;\n create index concurrently i on a(x)");
        }

        @Test
        void dashesInsideAStringAreNoComment() {
            assertThat(texts("select '--'; select '/*'; select 3")).hasSize(3);
        }
    }

    @Nested
    class QuotedIdentifiers {
        @Test
        void aSemicolonInsideIsPartOfTheName() {
            assertThat(texts("create table \"a;b\" (\"c\"\"d;\" int); select 2"))
                    .containsExactly("create table \"a;b\" (\"c\"\"d;\" int)", "select 2");
            assertThat(texts("select 1 as U&\"d\\0061t;a\"; select 2")).hasSize(2);
        }
    }

    @Nested
    class WhatPsqlKeepsTogether {
        @Test
        void semicolonsInsideParentheses() {
            String rule =
                    "create rule r as on insert to a do also (insert into b values (1); insert into b values (2))";
            assertThat(texts(rule + "; select 2")).containsExactly(rule, "select 2");
        }

        @Test
        void aBeginAtomicBodyWithTheCaseInside() {
            String function =
                    """
                    CREATE OR REPLACE FUNCTION f(x int) RETURNS text LANGUAGE sql
                    BEGIN ATOMIC
                      SELECT CASE WHEN x > 0 THEN 'positive;' ELSE 'not' END;
                      SELECT 'second';
                    END""";
            assertThat(texts(function + "; select 2")).containsExactly(function, "select 2");
            assertThat(texts("create procedure p() begin atomic insert into t values (1); end; select 2"))
                    .containsExactly("create procedure p() begin atomic insert into t values (1); end", "select 2");
        }

        @Test
        void beginOutsideARoutineIsATransaction() {
            assertThat(texts("begin; select 1; end; create table begin_t (x int); select 2"))
                    .containsExactly("begin", "select 1", "end", "create table begin_t (x int)", "select 2");
        }

        @Test
        void aBeginInsideADollarQuotedBodyIsNotCounted() {
            assertThat(texts("create function f() returns int language plpgsql as $$ begin return 1; end $$; select 2"))
                    .hasSize(2);
        }
    }

    @Test
    void runbookParameterReferencesAreOneTokenAndNoWord() {
        List<SqlStatement> statements = SqlLexer.statements("select * from t where id < ${limit}; select 2");
        assertThat(statements).hasSize(2);
        assertThat(statements.get(0).words()).containsExactly("SELECT", "FROM", "T", "WHERE", "ID");
    }

    @Test
    void nonAsciiCharactersAreIdentifierCharacters() {
        List<SqlStatement> statements = SqlLexer.statements("select 1 as café$; select 'naïve;'");
        assertThat(statements).hasSize(2);
        assertThat(statements.get(0).words()).containsExactly("SELECT", "AS", "CAFÉ$");
    }

    @Test
    void statementsAreTrimmedAndEmptyOnesLeftOut() {
        assertThat(texts("  ;;\n select 1 ;\n\n")).containsExactly("select 1");
        assertThat(texts("")).isEmpty();
    }
}
