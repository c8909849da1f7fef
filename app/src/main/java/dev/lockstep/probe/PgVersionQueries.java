package dev.lockstep.probe;

import java.util.Optional;

/**
 * Every SQL text the probes send, and the only place that knows how PostgreSQL versions differ. Callers
 * ask for a part's query; a part the server cannot answer comes back empty with the reason.
 *
 * <p>Rules every query here follows: it excludes the monitoring backend ({@code pg_backend_pid()}), it
 * never calls a size function or anything else that takes a lock on a user relation (relation names come
 * from {@code pg_class} by oid, which takes no lock on the relation), it calls {@code pg_blocking_pids}
 * only for sessions that wait on a heavyweight lock, and it reads {@code pg_locks} only when there is
 * such a session.
 */
final class PgVersionQueries {

    /** Query texts are cut to this many characters; enough to recognise a statement, short for a log. */
    public static final int QUERY_TEXT_LIMIT = 200;

    private final int versionNum;

    public PgVersionQueries(int versionNum) {
        this.versionNum = versionNum;
    }

    public int major() {
        return versionNum / 10000;
    }

    /** pg_locks.waitstart exists from 14; before that the state change is the nearest known instant. */
    public boolean waitStartIsExact() {
        return major() >= 14;
    }

    /**
     * Waiting sessions (kind {@code waiting}) with their pending lock and blockers, followed by the blockers
     * that do not wait themselves (kind {@code holder}) with the granted locks they hold that someone waits
     * for ({@code holds}: mode and relation, or "its transaction" for a row lock). pg_locks is read once, and
     * only when someone waits; a holder's locks are matched to the wanted ones by a key hashed once (not a
     * scan of pg_locks per holder: 500 holders made that 80 times the cost of one scan). Relation names come
     * from regclass output, which takes no lock.
     */
    public String locks() {
        String waitStart = waitStartIsExact() ? "l.waitstart" : "NULL::timestamptz";
        return """
                WITH waiting AS MATERIALIZED (
                    SELECT a.pid, a.usename, a.application_name, host(a.client_addr) AS client_addr, a.state,
                           a.xact_start, a.state_change, left(a.query, %1$d) AS query,
                           pg_blocking_pids(a.pid) AS blocked_by
                    FROM pg_stat_activity a
                    WHERE a.wait_event_type = 'Lock' AND a.pid <> pg_backend_pid()
                      AND a.datname = current_database()
                ),
                locks AS MATERIALIZED (
                    SELECT l.pid, l.granted, l.locktype, l.mode, l.relation, %2$s AS waitstart,
                           l.locktype || '/' || coalesce(l.database::text, '') || '/'
                               || coalesce(l.relation::text, '') || '/' || coalesce(l.page::text, '') || '/'
                               || coalesce(l.tuple::text, '') || '/' || coalesce(l.virtualxid, '') || '/'
                               || coalesce(l.transactionid::text, '') || '/' || coalesce(l.classid::text, '')
                               || '/' || coalesce(l.objid::text, '') || '/' || coalesce(l.objsubid::text, '')
                               AS lock_key
                    FROM pg_locks l
                    WHERE EXISTS (SELECT 1 FROM waiting)
                ),
                wanted AS (
                    SELECT * FROM locks WHERE NOT granted
                ),
                pending AS (
                    SELECT DISTINCT ON (pid) pid, locktype, mode, relation, waitstart FROM wanted ORDER BY pid
                ),
                holder AS (
                    SELECT DISTINCT b.pid
                    FROM waiting w, unnest(w.blocked_by) AS b(pid)
                    WHERE b.pid NOT IN (SELECT pid FROM waiting)
                ),
                holds AS (
                    SELECT g.pid, string_agg(DISTINCT g.mode || CASE
                               WHEN g.relation IS NOT NULL THEN ' on ' || g.relation::regclass::text
                               WHEN g.locktype = 'transactionid' THEN ' on its transaction'
                               ELSE ' (' || g.locktype || ')' END, ', ') AS holds
                    FROM locks g
                    WHERE g.granted AND g.pid IN (SELECT pid FROM holder)
                      AND g.lock_key IN (SELECT lock_key FROM wanted)
                    GROUP BY g.pid
                )
                SELECT 'waiting' AS kind, w.pid, w.usename, w.application_name, w.client_addr, w.state,
                       extract(epoch FROM now() - w.xact_start)::float8 AS xact_age_seconds,
                       extract(epoch FROM now() - w.state_change)::float8 AS state_age_seconds,
                       w.query, w.blocked_by, p.locktype, p.mode, n.nspname AS relation_schema,
                       c.relname AS relation_name, coalesce(p.waitstart, w.state_change) AS wait_start,
                       extract(epoch FROM now() - coalesce(p.waitstart, w.state_change))::float8 AS wait_seconds,
                       p.waitstart IS NULL AS wait_start_approximate, NULL::text AS holds
                FROM waiting w
                LEFT JOIN pending p ON p.pid = w.pid
                LEFT JOIN pg_class c ON c.oid = p.relation
                LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
                UNION ALL
                SELECT 'holder', h.pid, pg_get_userbyid(a.usesysid), a.application_name, host(a.client_addr),
                       a.state, extract(epoch FROM now() - a.xact_start)::float8,
                       extract(epoch FROM now() - a.state_change)::float8, left(a.query, %1$d), NULL::int[],
                       NULL, NULL, NULL, NULL, NULL::timestamptz, NULL::float8, NULL::boolean,
                       hs.holds
                FROM holder h
                LEFT JOIN LATERAL pg_stat_get_activity(h.pid) a ON h.pid <> 0
                LEFT JOIN holds hs ON hs.pid = h.pid
                """
                .formatted(QUERY_TEXT_LIMIT, waitStart);
    }

    /** One row of counters over the sessions of the current database. */
    public String activitySummary() {
        return """
                SELECT count(*) FILTER (WHERE backend_type = 'client backend') AS client_sessions,
                       count(*) FILTER (WHERE backend_type = 'client backend' AND state = 'active') AS active,
                       count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS idle_in_transaction,
                       count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting_on_locks,
                       max(extract(epoch FROM now() - xact_start))
                           FILTER (WHERE backend_type = 'client backend')::float8 AS oldest_xact_seconds,
                       max(age(backend_xmin)) AS oldest_xmin_age_xids,
                       now() AS server_time
                FROM pg_stat_activity
                WHERE pid <> pg_backend_pid() AND (datname = current_database() OR datname IS NULL)
                """;
    }

    /** Client sessions idle in a transaction, or in one older than {@code ?} seconds; the oldest first. */
    public String longTransactions() {
        return """
                SELECT pid, usename, application_name, host(client_addr) AS client_addr, state,
                       extract(epoch FROM now() - xact_start)::float8 AS xact_age_seconds,
                       extract(epoch FROM now() - state_change)::float8 AS state_age_seconds,
                       age(backend_xmin) AS xmin_age_xids, left(query, %d) AS query
                FROM pg_stat_activity
                WHERE pid <> pg_backend_pid() AND datname = current_database()
                  AND backend_type = 'client backend' AND xact_start IS NOT NULL
                  AND (state LIKE 'idle in transaction%%' OR xact_start < now() - make_interval(secs => ?))
                ORDER BY xact_start
                LIMIT 20
                """
                .formatted(QUERY_TEXT_LIMIT);
    }

    /** Forgotten two-phase transactions hold locks and the xmin horizon in every database. */
    public String preparedTransactions() {
        return """
                SELECT gid, prepared, owner, database, age(transaction) AS xid_age,
                       extract(epoch FROM now() - prepared)::float8 AS age_seconds
                FROM pg_prepared_xacts
                ORDER BY prepared
                LIMIT 20
                """;
    }

    /**
     * The server's WAL position and, on a standby, the receive/replay positions, the pause state and the WAL
     * receiver. Functions that fail outside recovery are guarded by CASE, which is evaluated lazily.
     */
    public String recovery() {
        String pauseState = major() >= 14
                ? "pg_get_wal_replay_pause_state()"
                : "CASE WHEN pg_is_wal_replay_paused() THEN 'paused' ELSE 'not paused' END";
        return """
                SELECT pg_is_in_recovery() AS in_recovery,
                       CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_lsn()::text END AS current_lsn,
                       pg_last_wal_receive_lsn()::text AS receive_lsn,
                       pg_last_wal_replay_lsn()::text AS replay_lsn,
                       CASE WHEN pg_is_in_recovery() THEN %s END AS pause_state,
                       pg_last_xact_replay_timestamp() AS last_replay_time,
                       extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS since_last_replay_seconds,
                       w.status AS receiver_status, w.flushed_lsn::text AS receiver_flushed_lsn,
                       w.last_msg_receipt_time,
                       extract(epoch FROM now() - w.last_msg_receipt_time)::float8 AS since_last_message_seconds,
                       w.sender_host, w.sender_port, w.slot_name AS receiver_slot_name,
                       (SELECT setting::int FROM pg_settings WHERE name = 'wal_receiver_timeout')
                           AS wal_receiver_timeout_ms,
                       now() AS server_time
                FROM (SELECT 1) AS one
                LEFT JOIN pg_stat_wal_receiver w ON true
                """
                .formatted(pauseState);
    }

    /** Standbys streaming from this server; lag intervals are NULL when idle or unknown, never zero. */
    public String replication() {
        return """
                SELECT r.pid, r.usename, r.application_name, host(r.client_addr) AS client_addr, r.state,
                       r.sync_state, r.sent_lsn::text, r.write_lsn::text, r.flush_lsn::text,
                       r.replay_lsn::text, extract(epoch FROM r.write_lag)::float8 AS write_lag_seconds,
                       extract(epoch FROM r.flush_lag)::float8 AS flush_lag_seconds,
                       extract(epoch FROM r.replay_lag)::float8 AS replay_lag_seconds, r.reply_time,
                       pg_wal_lsn_diff(cur.lsn, r.sent_lsn)::bigint AS sent_lag_bytes,
                       pg_wal_lsn_diff(cur.lsn, r.write_lsn)::bigint AS write_lag_bytes,
                       pg_wal_lsn_diff(cur.lsn, r.flush_lsn)::bigint AS flush_lag_bytes,
                       pg_wal_lsn_diff(cur.lsn, r.replay_lsn)::bigint AS replay_lag_bytes
                FROM pg_stat_replication r,
                     (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                                  ELSE pg_current_wal_lsn() END AS lsn) AS cur
                WHERE r.pid <> pg_backend_pid()
                ORDER BY r.application_name, r.pid
                """;
    }

    public String replicationSlots() {
        String since17 = major() >= 17
                ? "s.inactive_since, s.invalidation_reason"
                : "NULL::timestamptz AS inactive_since, NULL::text AS invalidation_reason";
        return """
                SELECT s.slot_name, s.slot_type, s.database, s.active, s.active_pid, s.wal_status,
                       s.safe_wal_size,
                       pg_wal_lsn_diff(cur.lsn, s.restart_lsn)::bigint AS retained_bytes,
                       age(s.xmin) AS xmin_age_xids, age(s.catalog_xmin) AS catalog_xmin_age_xids, %s
                FROM pg_replication_slots s,
                     (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                                  ELSE pg_current_wal_lsn() END AS lsn) AS cur
                ORDER BY s.slot_name
                """
                .formatted(since17);
    }

    /** The statement's start for elapsed time, read only for the backends that report progress. */
    private static String elapsedOf(String pid) {
        return "(SELECT extract(epoch FROM now() - a.query_start)::float8 FROM pg_stat_get_activity(" + pid
                + ") a) AS elapsed_seconds";
    }

    public String createIndexProgress() {
        return """
                SELECT p.pid, n.nspname AS relation_schema, c.relname AS relation_name, i.relname AS index_name,
                       p.command, p.phase, p.lockers_total, p.lockers_done, p.current_locker_pid,
                       p.blocks_total, p.blocks_done, p.tuples_total, p.tuples_done, %s
                FROM pg_stat_progress_create_index p
                LEFT JOIN pg_class c ON c.oid = p.relid
                LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_class i ON i.oid = p.index_relid
                WHERE p.datname = current_database() AND p.pid <> pg_backend_pid()
                ORDER BY p.pid
                """
                .formatted(elapsedOf("p.pid"));
    }

    /** PG 17 renamed max_dead_tuples to max_dead_tuple_bytes and num_dead_tuples to num_dead_item_ids. */
    public String vacuumProgress() {
        String deadColumns = major() >= 17
                ? "NULL::bigint AS max_dead_tuples, NULL::bigint AS num_dead_tuples,"
                        + " p.max_dead_tuple_bytes, p.num_dead_item_ids"
                : "p.max_dead_tuples, p.num_dead_tuples,"
                        + " NULL::bigint AS max_dead_tuple_bytes, NULL::bigint AS num_dead_item_ids";
        return """
                SELECT p.pid, n.nspname AS relation_schema, c.relname AS relation_name, p.phase,
                       p.heap_blks_total, p.heap_blks_scanned, p.heap_blks_vacuumed, p.index_vacuum_count,
                       %s, %s
                FROM pg_stat_progress_vacuum p
                LEFT JOIN pg_class c ON c.oid = p.relid
                LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE p.datname = current_database() AND p.pid <> pg_backend_pid()
                ORDER BY p.pid
                """
                .formatted(deadColumns, elapsedOf("p.pid"));
    }

    public String clusterProgress() {
        return """
                SELECT p.pid, n.nspname AS relation_schema, c.relname AS relation_name, p.command, p.phase,
                       p.heap_blks_total, p.heap_blks_scanned, p.heap_tuples_scanned, p.heap_tuples_written,
                       p.index_rebuild_count, %s
                FROM pg_stat_progress_cluster p
                LEFT JOIN pg_class c ON c.oid = p.relid
                LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE p.datname = current_database() AND p.pid <> pg_backend_pid()
                ORDER BY p.pid
                """
                .formatted(elapsedOf("p.pid"));
    }

    /** COPY progress exists from 14; on 13 the part is off with this reason. */
    public Optional<String> copyProgressMissing() {
        return major() >= 14 ? Optional.empty() : Optional.of("pg_stat_progress_copy requires PostgreSQL 14");
    }

    public String copyProgress() {
        return """
                SELECT p.pid, n.nspname AS relation_schema, c.relname AS relation_name, p.command, p.type,
                       p.bytes_processed, p.bytes_total, p.tuples_processed, p.tuples_excluded, %s
                FROM pg_stat_progress_copy p
                LEFT JOIN pg_class c ON c.oid = p.relid
                LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE p.datname = current_database() AND p.pid <> pg_backend_pid()
                ORDER BY p.pid
                """
                .formatted(elapsedOf("p.pid"));
    }
}
