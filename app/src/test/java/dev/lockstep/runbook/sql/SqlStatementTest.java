package dev.lockstep.runbook.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
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

    /** PostgreSQL refuses each in a transaction block (TransactionBlockTest asks it); the names exist nowhere. */
    static final List<String> REFUSED_IN_A_TRANSACTION = List.of(
            "create index concurrently no_such_i on no_such_t (x)",
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS no_such_i ON no_such_t (x)",
            "drop index concurrently if exists no_such_i",
            "reindex table concurrently no_such_t",
            "reindex (verbose) index concurrently no_such_i",
            "reindex (concurrently) table no_such_t",
            "reindex schema no_such_s",
            "reindex database no_such_d",
            "reindex (verbose) system no_such_d",
            "vacuum",
            "vacuum (analyze) no_such_t",
            "cluster",
            "cluster (verbose)",
            "discard all",
            "alter system set work_mem = '8MB'",
            "create database no_such_d",
            "drop database if exists no_such_d",
            "create tablespace no_such_ts location '/no/such/dir'",
            "drop tablespace if exists no_such_ts",
            "alter database no_such_d set tablespace no_such_ts",
            "alter table no_such_t detach partition no_such_c concurrently");

    /** Allowed in a transaction block since PostgreSQL 12, but the new value is unusable until commit. */
    static final List<String> RUN_ALONE_BY_CHOICE = List.of(
            "alter type no_such_e add value 'meh'",
            "alter type public.no_such_e add value if not exists 'meh' before 'sad'");

    /** PostgreSQL runs each in a transaction block (if the names existed). */
    static final List<String> ALLOWED_IN_A_TRANSACTION = List.of(
            "create index no_such_i on no_such_t (x)",
            "create index no_such_i on no_such_t ((x || 'concurrently'))",
            "refresh materialized view concurrently no_such_m",
            "analyze no_such_t",
            "cluster no_such_t",
            "cluster (verbose) no_such_t using no_such_i",
            "discard plans",
            "reindex table no_such_t",
            "alter database no_such_d set default_tablespace = 'x'",
            "alter table no_such_t detach partition no_such_c",
            "alter table no_such_t add constraint c check (x <> 'detach partition p concurrently')",
            "alter type no_such_e rename value 'a' to 'b'",
            "alter type no_such_e add attribute value int",
            "select 'vacuum'",
            "-- vacuum\nselect 1");

    @Test
    void statementsThatRunOutsideATransactionBlock() {
        for (String sql : REFUSED_IN_A_TRANSACTION) {
            assertThat(only(sql).refusesTransaction()).as(sql).isTrue();
        }
        for (String sql : RUN_ALONE_BY_CHOICE) {
            assertThat(only(sql).refusesTransaction()).as(sql).isTrue();
        }
        for (String sql : ALLOWED_IN_A_TRANSACTION) {
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

    @Test
    void aPlaceholderMayBeWrittenAsAnExpressionWhileTheOthersStayParameters() {
        SqlStatement.Bound bound =
                only("update t set upto = :to where id > :from and id <= :to and doc ? 'k' and note = ':to' -- :to")
                        .bindNamed(List.of("from"), Map.of("to", "(select k from bound)"));

        assertThat(bound.jdbcSql())
                .isEqualTo("update t set upto = (select k from bound) where id > ? and id <= (select k from bound)"
                        + " and doc ?? 'k' and note = ':to' -- :to");
        assertThat(bound.parameterNames()).containsExactly("from");
    }

    @Test
    void aStatementReturnsRowsOnlyWithARETURNINGClauseOfItsOwn() {
        assertThat(only("update t set n = 1 where id > :from returning id").returnsRows())
                .isTrue();
        assertThat(only("update t set note = 'returning' where id > :from -- returning")
                        .returnsRows())
                .isFalse();
        assertThat(only("update t set \"returning\" = 1 where id > :from").returnsRows())
                .isFalse();
    }

    @Test
    void aLowerBoundComparedWithGreaterThanOrLessThanCanBeMadeInclusive() {
        List<String> names = List.of("from", "to");

        assertThat(only("update t set n = n + 1 where id > :from and id <= :to")
                        .bindNamedWithInclusive(names, "from")
                        .map(SqlStatement.Bound::jdbcSql))
                .contains("update t set n = n + 1 where id >= ? and id <= ?");
        assertThat(only("update t set n = 1 where :from<id and id <= :to and exists (select 1 where id > :from::uuid)")
                        .bindNamedWithInclusive(names, "from")
                        .map(SqlStatement.Bound::jdbcSql))
                .contains("update t set n = 1 where ?<=id and id <= ? and exists (select 1 where id >= ?::uuid)");
        assertThat(only("update t set n = 1 where code > :from collate \"C\" and code <= :to")
                        .bindNamedWithInclusive(names, "from")
                        .map(SqlStatement.Bound::jdbcSql))
                .contains("update t set n = 1 where code >= ? collate \"C\" and code <= ?");
    }

    @Test
    void aLowerBoundInAnyOtherPlaceIsNotRewritten() {
        List<String> names = List.of("from", "to");

        assertThat(only("update t set n = 1 where id > :from + 1 and id <= :to").bindNamedWithInclusive(names, "from"))
                .as("an operand of arithmetic")
                .isEmpty();
        assertThat(only("update t set n = 1 where id between :from and :to").bindNamedWithInclusive(names, "from"))
                .isEmpty();
        assertThat(only("update t set n = 1 where id >= :from and id <= :to").bindNamedWithInclusive(names, "from"))
                .isEmpty();
        assertThat(only("update t set n = 1 where doc ->> :from is null and id <= :to")
                        .bindNamedWithInclusive(names, "from"))
                .isEmpty();
        assertThat(only("update t set n = 1 where id > greatest(:from, 0) and id <= :to")
                        .bindNamedWithInclusive(names, "from"))
                .isEmpty();
    }
}
