package dev.lockstep.timeline;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes a timeline through the writer API with the event sequence a real run of the expand + backfill
 * runbook of the design brief produces: open, approval, checks, DDL with verify, a throttled backfill with
 * samples, a lock-queue breach and the operator's decision, a contract step past the rollback boundary,
 * close. The engine does not exist yet; these tests switch to real runs when it does.
 */
final class RealisticRun {
    static final String DB_PASSWORD = "hunter2-Sup3rSecret";
    static final String API_TOKEN = "tok_9f8e7d6c5b4a";
    static final String RUNBOOK_SOURCE =
            """
            lockstep: 1
            id: CHG-2026-0712-assignee-split
            title: Split case_file.assignee into user and group columns
            change: { class: R2, phase: expand }
            parameters:
              batch_size: { type: int, default: 1000 }
              notify_token: { type: string, secret: true }
            steps:
              - id: precheck
                kind: check
                sql: select count(*) from case_file where assignee is null
                expect: { equals: 0 }
              - id: confirm-backup
                kind: approval
                prompt: Backup id and restore test for case_file confirmed?
              - id: add-columns
                kind: sql
                sql: ALTER TABLE case_file ADD COLUMN assignee_user_id uuid;
              - id: backfill
                kind: backfill
                table: case_file
                key: id
              - id: drop-legacy-default
                kind: sql
                boundary: true
                sql: ALTER TABLE case_file ALTER COLUMN assignee DROP DEFAULT;
            """;

    private RealisticRun() {}

    static Redactor redactor() {
        return Redactor.forRun(
                Set.of("notify_token"), Map.of("notify_token", API_TOKEN), List.of(Pattern.compile("tok_[0-9a-f]+")));
    }

    /** Writes a closed run and returns the file. */
    static Path write(Path dir, String runId, OperatorKey key) {
        TimelineWriter writer = start(dir, runId, key);
        finish(writer);
        return writer.file();
    }

    static TimelineWriter start(Path dir, String runId, OperatorKey key) {
        TimelineClock clock = new SteppingClock(Instant.parse("2026-11-20T22:00:00Z"), 250);
        TimelineWriter writer = key == null
                ? TimelineWriter.createUnsigned(dir, runId, redactor(), clock)
                : TimelineWriter.create(dir, runId, key, redactor(), clock);
        writer.append("open", "operator:alice@bastion-1", null, null, openBody(runId));
        writer.append("state", "system", null, null, Map.of("from", "new", "to", "running", "reason", "started"));
        step(writer, "precheck", Map.of("result", "ok", "rows", 1, "duration_ms", 12));
        writer.append(
                "verify",
                "system",
                "precheck",
                1,
                Map.of(
                        "sql",
                        "select count(*) from case_file where assignee is null",
                        "expected",
                        Map.of("equals", 0),
                        "actual",
                        0,
                        "ok",
                        true));
        writer.append("step_start", "system", "confirm-backup", 1, Map.of("kind", "approval"));
        writer.append(
                "approval",
                "approver:bob",
                "confirm-backup",
                1,
                Map.of("by", "bob", "how", "console", "reason", "backup b-2026-11-20 restored to staging at 21:40"));
        writer.append(
                "step_end", "system", "confirm-backup", 1, Map.of("result", "ok", "rows", 0, "duration_ms", 40_000));
        writer.append(
                "step_start",
                "system",
                "add-columns",
                1,
                Map.of(
                        "kind",
                        "sql",
                        "sql",
                        "ALTER TABLE case_file ADD COLUMN assignee_user_id uuid;",
                        "lock_timeout",
                        "2s"));
        writer.append(
                "step_end",
                "system",
                "add-columns",
                1,
                Map.of(
                        "result",
                        "failed",
                        "rows",
                        0,
                        "duration_ms",
                        2003,
                        "sqlstate",
                        "55P03",
                        "message",
                        "canceling statement due to lock timeout"));
        writer.append(
                "step_start",
                "system",
                "add-columns",
                2,
                Map.of(
                        "kind",
                        "sql",
                        "sql",
                        "ALTER TABLE case_file ADD COLUMN assignee_user_id uuid;",
                        "lock_timeout",
                        "2s"));
        writer.append("step_end", "system", "add-columns", 2, Map.of("result", "ok", "rows", 0, "duration_ms", 35));
        writer.append("step_start", "system", "backfill", 1, Map.of("kind", "backfill", "table", "case_file"));
        long done = 0;
        for (int batch = 0; batch < 40; batch++) {
            long from = batch * 1000L;
            done += 1000;
            writer.append(
                    "batch",
                    "system",
                    "backfill",
                    1,
                    Map.of(
                            "from",
                            from,
                            "to",
                            from + 1000,
                            "rows",
                            1000,
                            "duration_ms",
                            180 + (batch % 7) * 15,
                            "batch_size",
                            1000,
                            "keys_done",
                            from + 1000,
                            "rows_done",
                            done));
            writer.append("sample", "system", null, null, sample(batch));
            if (batch == 20) {
                writer.append(
                        "breach",
                        "system",
                        "backfill",
                        1,
                        Map.of(
                                "criterion",
                                "lock-queue",
                                "signal",
                                "lock_wait_seconds",
                                "value",
                                6.5,
                                "threshold",
                                5,
                                "action",
                                "pause"));
                writer.append(
                        "decision",
                        "operator:alice",
                        "backfill",
                        1,
                        Map.of(
                                "what",
                                "resume",
                                "by",
                                "alice",
                                "reason",
                                "report job holding the lock finished at 22:14"));
                writer.append(
                        "clear",
                        "system",
                        "backfill",
                        1,
                        Map.of(
                                "criterion",
                                "lock-queue",
                                "signal",
                                "lock_wait_seconds",
                                "value",
                                0.4,
                                "threshold",
                                1,
                                "action",
                                "resume"));
            }
        }
        return writer;
    }

    static void finish(TimelineWriter writer) {
        writer.append(
                "step_end", "system", "backfill", 1, Map.of("result", "ok", "rows", 40_000, "duration_ms", 61_000));
        writer.append("step_start", "system", "drop-legacy-default", 1, Map.of("kind", "sql", "boundary", true));
        writer.append(
                "step_end",
                "system",
                "drop-legacy-default",
                1,
                Map.of("result", "ok", "rows", 0, "duration_ms", 20, "boundary", true));
        writer.append(
                "note", "operator:alice", null, null, Map.of("text", "notified #case-platform with " + API_TOKEN));
        writer.append("state", "system", null, null, Map.of("from", "running", "to", "done", "reason", "all steps ok"));
        writer.close(Map.of("state", "done", "exit_code", 0));
    }

    private static void step(TimelineWriter writer, String step, Map<String, Object> end) {
        writer.append("step_start", "system", step, 1, Map.of("kind", "check"));
        writer.append("step_end", "system", step, 1, end);
    }

    static Map<String, Object> openBody(String runId) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("batch_size", "1000");
        parameters.put("notify_token", API_TOKEN);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("run", runId);
        body.put("runbook_id", "CHG-2026-0712-assignee-split");
        body.put("path", "runbooks/assignee-split.yaml");
        body.put(
                "sha256",
                Hashing.hex(Hashing.sha256(RUNBOOK_SOURCE.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        body.put("source", RUNBOOK_SOURCE);
        body.put("git_commit", "3f1c2d4e5f60718293a4b5c6d7e8f90112233445");
        body.put(
                "database",
                Map.of(
                        "system_identifier",
                        "7412345678901234567",
                        "version",
                        "PostgreSQL 17.6",
                        "database",
                        "cases",
                        "host",
                        "db-primary-1"));
        body.put("connection", "postgresql://lockstep:" + DB_PASSWORD + "@db-primary-1:5432/cases");
        body.put("operator", "alice@bastion-1");
        body.put("pid", 4242);
        body.put("parameters", parameters);
        body.put("lockstep_version", "0.1.0");
        return body;
    }

    private static Map<String, Object> sample(int batch) {
        double lockWait = batch >= 18 && batch <= 21 ? 2.0 + (batch - 18) * 1.5 : 0.1 * (batch % 3);
        return Map.of(
                "lock_wait_seconds",
                lockWait,
                "blocked_sessions",
                batch >= 18 && batch <= 21 ? 3 : 0,
                "replication_lag_seconds",
                0.2 + (batch % 10) * 0.15,
                "replication_lag_bytes",
                4096L * (1 + batch % 10),
                "rows_per_second",
                4000 + (batch % 5) * 300);
    }
}
