package dev.lockstep.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.probe.MigrationLedger.Entry;
import dev.lockstep.probe.MigrationLedger.Liveness;
import dev.lockstep.probe.MigrationLedger.Lock;
import dev.lockstep.probe.MigrationLedger.Tool;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds and reads migration tools' ledgers (Flyway, Liquibase) on a database. {@link #find} looks their
 * tables up by name in pg_class, in any schema (an index lookup); {@link #read} reads every ledger found in
 * one query, only when there is one. Both only read; the caller's session bounds them.
 *
 * <p>Whether a Liquibase lock's holder is alive is judged from pg_stat_activity: a session in this database
 * whose client address is the address in {@code lockedby} ("host (address)"), whose client host name (known
 * only with {@code log_hostname}) is its host, or whose application_name names that host. Lockstep's own sessions do not count. A holder behind NAT, a
 * proxy or a pooler connects from another address and is not recognised; sessions hidden from this role
 * (without pg_read_all_stats) make the answer unknown. Flyway keeps no lock table: it holds a session
 * advisory lock whose key it derives from the history table's name; Lockstep looks for exactly that key.
 */
public final class MigrationLedgers {

    static final String FLYWAY_HISTORY = "flyway_schema_history";
    static final String LIQUIBASE_CHANGELOG = "databasechangelog";
    static final String LIQUIBASE_LOCK = "databasechangeloglock";

    /** Flyway's advisory lock base: "Flyway" in ASCII (PostgreSQLAdvisoryLockTemplate). */
    private static final long FLYWAY_LOCK_BASE =
            (0x46L << 40) + (0x6CL << 32) + (0x79L << 24) + (0x77 << 16) + (0x61 << 8) + 0x79;

    /**
     * Made only when a ledger has failed entries to read: an ObjectMapper loads some 250 classes, and every probe
     * (watch's first screen included) loads this class, almost always with nothing to parse.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private MigrationLedgers() {}

    /** Which ledger tables a schema holds. */
    public record Found(Tool tool, String schema, boolean history, boolean lockTable) {}

    private static final String FIND = "select n.nspname as schema_name, c.relname as table_name"
            + " from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
            + " where c.relname in ('" + FLYWAY_HISTORY + "', '" + LIQUIBASE_CHANGELOG + "', '" + LIQUIBASE_LOCK + "')"
            + " and c.relkind in ('r', 'p', 'v') order by n.nspname, c.relname";

    /** The ledgers' tables on this database, by schema; empty when there are none. */
    public static List<Found> find(Connection connection) throws SQLException {
        Map<String, Found> found = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(FIND)) {
            while (row.next()) {
                String schema = row.getString("schema_name");
                String table = row.getString("table_name");
                if (table.equals(FLYWAY_HISTORY)) {
                    found.put("flyway/" + schema, new Found(Tool.FLYWAY, schema, true, false));
                } else {
                    Found before = found.get("liquibase/" + schema);
                    boolean history = table.equals(LIQUIBASE_CHANGELOG) || (before != null && before.history());
                    boolean lock = table.equals(LIQUIBASE_LOCK) || (before != null && before.lockTable());
                    found.put("liquibase/" + schema, new Found(Tool.LIQUIBASE, schema, history, lock));
                }
            }
        }
        return List.copyOf(found.values());
    }

    /** Finds and reads: two queries, the second only when a ledger exists. */
    public static List<MigrationLedger> readAll(Connection connection) throws SQLException {
        List<Found> found = find(connection);
        return found.isEmpty() ? List.of() : read(connection, found);
    }

    /** Every ledger in {@code found}, in one query. */
    public static List<MigrationLedger> read(Connection connection, List<Found> found) throws SQLException {
        if (found.isEmpty()) {
            return List.of();
        }
        List<MigrationLedger> ledgers = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(query(found))) {
            while (row.next()) {
                ledgers.add(ledger(row));
            }
        }
        return ledgers;
    }

    /** The key of Flyway's advisory lock for its history table in {@code schema}. */
    static long flywayLockKey(String schema, String table) {
        String quoted = "\"" + schema + "\".\"" + table + "\"";
        return FLYWAY_LOCK_BASE + quoted.hashCode();
    }

    static String query(List<Found> found) {
        List<String> parts = new ArrayList<>();
        for (Found ledger : found) {
            parts.add(ledger.tool() == Tool.FLYWAY ? flyway(ledger.schema()) : liquibase(ledger));
        }
        return "select r.*, alive.sessions, alive.hidden from (" + String.join(" union all ", parts) + ") r"
                + " left join lateral (select string_agg(format('pid %s (%s, application ''%s'', from %s)', a.pid,"
                + " a.usename, a.application_name, coalesce(a.client_hostname, host(a.client_addr), 'the local"
                + " socket')), '; ' order by a.pid) filter (where a.matches) as sessions,"
                + " count(*) filter (where a.hidden) as hidden"
                + " from (select a.*, ((r.holder_ip is not null and host(a.client_addr) = r.holder_ip)"
                + " or (r.holder_ip in ('127.0.0.1', '::1') and a.client_addr is null and a.client_port = -1)"
                + " or (r.holder_host <> '' and a.client_hostname is not null"
                + " and split_part(lower(a.client_hostname), '.', 1) = split_part(r.holder_host, '.', 1))"
                + " or (length(split_part(r.holder_host, '.', 1)) >= 3 and strpos(lower(a.application_name),"
                + " split_part(r.holder_host, '.', 1)) > 0))"
                + " as matches, a.query = '<insufficient privilege>' as hidden"
                + " from pg_catalog.pg_stat_activity a where a.datname = current_database()"
                + " and a.pid <> pg_backend_pid() and a.backend_type = 'client backend'"
                + " and coalesce(a.application_name, '') not like 'lockstep-%') a"
                + ") alive on r.tool = 'liquibase' and r.locked";
    }

    private static String flyway(String schema) {
        String table = ident(schema) + "." + ident(FLYWAY_HISTORY);
        long key = flywayLockKey(schema, FLYWAY_HISTORY);
        long high = key >>> 32;
        long low = key & 0xFFFFFFFFL;
        return "select 'flyway'::text as tool, " + literal(schema) + "::text as schema_name,"
                + " cur.version::text as current_version, cur.description::text as current_description,"
                + " extract(epoch from last.installed_on::timestamptz)::float8 as last_applied_epoch,"
                + " last.installed_by::text as last_applied_by,"
                + " (select count(*) from " + table + " where success) as applied,"
                + " (select json_agg(json_build_object('version', version, 'description', description, 'script',"
                + " script, 'at', extract(epoch from installed_on::timestamptz)) order by installed_rank)::text"
                + " from " + table + " where not success) as failed,"
                + " lk.pid is not null as locked,"
                + " case when lk.pid is not null then format('pid %s (%s, application ''%s'', from %s)', lk.pid,"
                + " lk.usename, lk.application_name, coalesce(host(lk.client_addr), 'the local socket')) end"
                + " as locked_by, null::float8 as lock_granted_epoch,"
                + " extract(epoch from now() - lk.since)::float8 as lock_age_seconds, lk.pid as holder_pid,"
                + " null::text as holder_ip, ''::text as holder_host"
                + " from (select 1) one"
                + " left join lateral (select version, description from " + table
                + " where success and version is not null order by case when version ~ '^[0-9]+(\\.[0-9]+)*$'"
                + " then string_to_array(version, '.')::numeric[] end desc nulls last, installed_rank desc"
                + " limit 1) cur on true"
                + " left join lateral (select installed_on, installed_by from " + table
                + " where success order by installed_rank desc limit 1) last on true"
                + " left join lateral (select l.pid, a.usename, a.application_name, a.client_addr,"
                + " coalesce(a.xact_start, a.query_start, a.backend_start) as since"
                + " from pg_catalog.pg_locks l left join pg_catalog.pg_stat_activity a on a.pid = l.pid"
                + " where l.locktype = 'advisory' and l.granted and l.objsubid = 1"
                + " and l.database = (select oid from pg_catalog.pg_database where datname = current_database())"
                + " and l.classid = " + high + "::oid and l.objid = " + low + "::oid limit 1) lk on true";
    }

    private static String liquibase(Found found) {
        String changelog = ident(found.schema()) + "." + ident(LIQUIBASE_CHANGELOG);
        String lockTable = ident(found.schema()) + "." + ident(LIQUIBASE_LOCK);
        StringBuilder sql = new StringBuilder("select 'liquibase'::text as tool, ")
                .append(literal(found.schema()))
                .append("::text as schema_name,");
        if (found.history()) {
            sql.append(" cur.id::text as current_version,"
                            + " (cur.author || ':' || cur.id || ' (' || cur.filename || ')')::text as current_description,"
                            + " extract(epoch from cur.dateexecuted::timestamptz)::float8 as last_applied_epoch,"
                            + " cur.author::text as last_applied_by,"
                            + " (select count(*) from ")
                    .append(changelog)
                    .append(" where exectype is distinct from 'FAILED') as applied,"
                            + " (select json_agg(json_build_object('version', id, 'description', description,"
                            + " 'script', filename, 'at', extract(epoch from dateexecuted::timestamptz))"
                            + " order by orderexecuted)::text from ")
                    .append(changelog)
                    .append(" where exectype = 'FAILED') as failed,");
        } else {
            sql.append(" null::text as current_version, null::text as current_description,"
                    + " null::float8 as last_applied_epoch, null::text as last_applied_by, 0::bigint as applied,"
                    + " null::text as failed,");
        }
        if (found.lockTable()) {
            sql.append(" coalesce(lk.locked, false) as locked, lk.lockedby::text as locked_by,"
                    + " extract(epoch from lk.lockgranted::timestamptz)::float8 as lock_granted_epoch,"
                    + " extract(epoch from now() - lk.lockgranted::timestamptz)::float8 as lock_age_seconds,"
                    + " null::int as holder_pid,"
                    + " substring(lk.lockedby from '\\(([^()]*)\\)\\s*$')::text as holder_ip,"
                    + " lower(btrim(split_part(regexp_replace(coalesce(lk.lockedby, ''), '\\s*\\([^()]*\\)\\s*$', ''),"
                    + " '#', 1)))::text as holder_host");
        } else {
            sql.append(" false as locked, null::text as locked_by, null::float8 as lock_granted_epoch,"
                    + " null::float8 as lock_age_seconds, null::int as holder_pid, null::text as holder_ip,"
                    + " ''::text as holder_host");
        }
        sql.append(" from (select 1) one");
        if (found.history()) {
            sql.append(" left join lateral (select id, author, filename, dateexecuted from ")
                    .append(changelog)
                    .append(" where exectype is distinct from 'FAILED' order by orderexecuted desc, dateexecuted desc"
                            + " limit 1) cur on true");
        }
        if (found.lockTable()) {
            sql.append(" left join lateral (select locked, lockedby, lockgranted from ")
                    .append(lockTable)
                    .append(" where locked order by id limit 1) lk on true");
        }
        return sql.toString();
    }

    private static MigrationLedger ledger(ResultSet row) throws SQLException {
        Tool tool = Tool.ofId(row.getString("tool")).orElseThrow();
        Lock lock = null;
        if (row.getBoolean("locked")) {
            Integer pid = Rows.integer(row, "holder_pid");
            String lockedBy = row.getString("locked_by");
            Liveness liveness;
            String holder;
            if (tool == Tool.FLYWAY) {
                liveness = Liveness.ALIVE;
                holder = "session " + lockedBy + " holds Flyway's advisory lock";
            } else {
                String sessions = row.getString("sessions");
                long hidden = row.getLong("hidden");
                String ip = row.getString("holder_ip");
                String host = row.getString("holder_host");
                boolean named = (ip != null && !ip.isBlank()) || (host != null && !host.isBlank());
                if (sessions != null) {
                    liveness = Liveness.ALIVE;
                    holder = "connected: " + sessions;
                } else if (!named) {
                    liveness = Liveness.UNKNOWN;
                    holder = "lockedby '" + lockedBy + "' names no host or address to look for";
                } else if (hidden > 0) {
                    liveness = Liveness.UNKNOWN;
                    holder = "no visible session from " + who(ip, host) + ", but " + hidden
                            + " session(s) in this database are hidden from this role (pg_read_all_stats shows"
                            + " them)";
                } else {
                    liveness = Liveness.GONE;
                    holder = "no session in this database from " + who(ip, host);
                }
            }
            lock = new Lock(
                    lockedBy,
                    epoch(row, "lock_granted_epoch"),
                    Rows.decimal(row, "lock_age_seconds"),
                    liveness,
                    holder,
                    pid);
        }
        return new MigrationLedger(
                tool,
                row.getString("schema_name"),
                row.getString("current_version"),
                row.getString("current_description"),
                epoch(row, "last_applied_epoch"),
                row.getString("last_applied_by"),
                row.getLong("applied"),
                entries(row.getString("failed")),
                lock);
    }

    private static String who(String ip, String host) {
        List<String> names = new ArrayList<>();
        if (ip != null && !ip.isBlank()) {
            names.add("address " + ip);
        }
        if (host != null && !host.isBlank()) {
            names.add("host " + host + " (by client_hostname, filled only with log_hostname, or in application_name)");
        }
        return String.join(" or ", names);
    }

    private static Instant epoch(ResultSet row, String column) throws SQLException {
        Double seconds = Rows.decimal(row, column);
        return seconds == null ? null : Instant.ofEpochMilli(Math.round(seconds * 1000));
    }

    private static List<Entry> entries(String json) throws SQLException {
        if (json == null) {
            return List.of();
        }
        try {
            List<Entry> entries = new ArrayList<>();
            for (JsonNode node : Json.MAPPER.readTree(json)) {
                entries.add(new Entry(
                        text(node, "version"),
                        text(node, "description"),
                        text(node, "script"),
                        node.path("at").isNumber()
                                ? Instant.ofEpochMilli(
                                        Math.round(node.path("at").asDouble() * 1000))
                                : null));
            }
            return entries;
        } catch (IOException e) {
            throw new SQLException("unreadable failed entries: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNull() || value.isMissingNode() ? null : value.asText();
    }

    private static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
