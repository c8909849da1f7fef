package dev.lockstep.runbook.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlStatementTest {

    private static SqlStatement only(String sql) {
        List<SqlStatement> statements = SqlLexer.statements(sql);
        assertThat(statements).hasSize(1);
        return statements.get(0);
    }

    @Test
    void classificationIgnoresCommentsStringsAndDollarQuotes() {
        assertThat(only("-- DROP TABLE x\nSELECT 'DROP TABLE y', $$DELETE$$, $f$TRUNCATE$f$ /* DROP */"))
                .satisfies(statement -> {
                    assertThat(statement.isDestructive()).isFalse();
                    assertThat(statement.isReadOnly()).isTrue();
                });
        assertThat(SqlLexer.statements("ALTER TABLE t DROP CONSTRAINT c; ALTER TABLE t ALTER c DROP DEFAULT"))
                .extracting(SqlStatement::isDestructive)
                .containsExactly(true, false);
        assertThat(only("INSERT INTO a SELECT * FROM b ON CONFLICT DO NOTHING").isDml())
                .isTrue();
        assertThat(only("ALTER TABLE customer RENAME COLUMN a TO b").isContractWork())
                .isTrue();
        assertThat(only("select E'it\\'s; fine', 'x' as \"; drop table t\"").isReadOnly())
                .isTrue();
    }

    @Test
    void headShowsTheFirstWordsAsWritten() {
        assertThat(only("alter table \"Customer\" drop column x").head(4)).isEqualTo("alter table \"Customer\" drop");
    }

    @Test
    void statementsThatRefuseATransactionBlock() {
        for (String sql : List.of(
                "create index concurrently i on a(x)",
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON a (x)",
                "drop index concurrently if exists i",
                "reindex table concurrently t",
                "reindex (verbose) index concurrently i",
                "reindex (concurrently) table t",
                "reindex database d",
                "reindex (verbose) system d",
                "vacuum",
                "vacuum (analyze) t",
                "alter system set work_mem = '8MB'",
                "create database d",
                "drop database if exists d",
                "alter table p detach partition c concurrently",
                "alter type mood add value 'meh'",
                "alter type public.mood add value if not exists 'meh' before 'sad'")) {
            assertThat(only(sql).refusesTransaction()).as(sql).isTrue();
        }
    }

    @Test
    void statementsThatRunInOne() {
        for (String sql : List.of(
                "create index i on a(x)",
                "create index i on a ((x || 'concurrently'))",
                "refresh materialized view concurrently m",
                "analyze t",
                "alter table p detach partition c",
                "alter table t add constraint c check (x <> 'detach partition p concurrently')",
                "alter type mood rename value 'a' to 'b'",
                "alter type t add attribute value int",
                "select 'vacuum'",
                "-- vacuum\nselect 1")) {
            assertThat(only(sql).refusesTransaction()).as(sql).isFalse();
        }
    }

    @Test
    void placeholdersOutsideStringsCommentsIdentifiersAndBodies() {
        assertThat(
                        only("""
                                update t set a = :to::int, b = ':from', "c:to" = $$ :to $$ -- :from
                                 where id > :from /* :to */ and id <= :to and d = x::text and e = ARRAY[1,2][1:2]""")
                                .placeholders())
                .containsExactly("to", "from", "to");
    }

    @Test
    void bindNamedReplacesTheNamedPlaceholdersInOrder() {
        SqlStatement.Bound bound = only("update t set a = :to::int where id > :from and b = ':to' and c = :fromage")
                .bindNamed(List.of("from", "to"));

        assertThat(bound.jdbcSql()).isEqualTo("update t set a = ?::int where id > ? and b = ':to' and c = :fromage");
        assertThat(bound.parameterNames()).containsExactly("to", "from");
    }

    @Test
    void bindNamedKeepsTheStatementsOwnQuestionMarksForTheDriver() {
        SqlStatement.Bound bound =
                only("update t set n = 1 where id > :from and id <= :to and doc ? 'k' and doc ?| array['a'] and s = '?' -- ?")
                        .bindNamed(List.of("from", "to"));

        assertThat(bound.jdbcSql())
                .isEqualTo(
                        "update t set n = 1 where id > ? and id <= ? and doc ?? 'k' and doc ??| array['a'] and s = '?' -- ?");
    }
}
