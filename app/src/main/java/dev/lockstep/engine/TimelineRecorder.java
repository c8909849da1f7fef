package dev.lockstep.engine;

import dev.lockstep.runbook.Evidence;
import dev.lockstep.timeline.OperatorKey;
import dev.lockstep.timeline.Redactor;
import dev.lockstep.timeline.ReopenedBy;
import dev.lockstep.timeline.ReopenedTimeline;
import dev.lockstep.timeline.StepInDoubt;
import dev.lockstep.timeline.TimelineClock;
import dev.lockstep.timeline.TimelineWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Records the engine's events in the run's signed write-ahead timeline. The engine calls listeners on its
 * own thread before it acts, and {@link TimelineWriter#append} returns only once the line is on disk, so
 * the intent line (a {@code step_start}) is durable before the step's statements run; a line that cannot
 * be written throws, and the engine stops rather than act unrecorded.
 *
 * <p>One run, one timeline: {@code <dir>/<run-id>.jsonl}, created when the run opens and reopened
 * whenever the run is resumed, so the file tells the whole story under one hash chain. After a crash the
 * writer cuts a torn line and adds a {@code recover} record, and the steps the timeline shows in doubt are
 * handed to the engine; after a clean stop (the timeline was closed) the {@code recover} record says
 * {@code after: close}. Either way a new session key is certified, and a {@code note} records what the
 * resuming process brings: its runbook hash (and the runbook itself when it changed), parameters, server
 * identity and Lockstep version.
 */
final class TimelineRecorder implements EngineListener {

    /**
     * What the open record says about the run beyond the engine's own open event.
     *
     * @param database {@code system_identifier}, {@code version}, {@code database}, {@code host}
     * @param parameters the run's parameter values (secret ones are redacted by the writer)
     */
    public record OpenInfo(
            Path runbookPath,
            String source,
            String gitCommit,
            Map<String, Object> database,
            String operator,
            long pid,
            Map<String, String> parameters,
            String lockstepVersion) {
        public OpenInfo {
            database = new LinkedHashMap<>(database);
            parameters = new LinkedHashMap<>(parameters);
        }
    }

    private final Path dir;
    private final OperatorKey key;
    private final Redactor redactor;
    private final TimelineClock clock;
    private final OpenInfo info;
    private final RunPlan plan;
    private final Set<String> stepsInDoubt = new LinkedHashSet<>();
    private TimelineWriter writer;
    private Path file;

    /** @param key the operator key; null for an {@code --unsigned} run */
    public TimelineRecorder(
            Path dir, OperatorKey key, Redactor redactor, TimelineClock clock, OpenInfo info, RunPlan plan) {
        this.dir = dir;
        this.key = key;
        this.redactor = redactor;
        this.clock = clock;
        this.info = info;
        this.plan = plan;
    }

    /** The steps the reopened timeline shows started without an end; empty for a new timeline. */
    public synchronized Set<String> stepsInDoubt() {
        return Set.copyOf(stepsInDoubt);
    }

    /** The timeline file, once the run has opened. */
    public synchronized Path file() {
        return file;
    }

    @Override
    public synchronized void on(EngineEvent event) {
        if (event instanceof EngineEvent.RunOpened opened) {
            open(opened);
            return;
        }
        if (writer == null || !event.recorded() || event instanceof EngineEvent.ProgressReported) {
            // a run found already done has no timeline to add to; progress is sampled, not logged per batch, and
            // what only screens need (observations, questions in flight) is not recorded
            return;
        }
        if (event instanceof EngineEvent.RunClosed closed) {
            writer.close(fields(
                    "state", closed.state().label(), "exit_code", closed.exitCode(), "message", closed.message()));
            writer = null;
            return;
        }
        if (event instanceof EngineEvent.BatchCommitted || event instanceof EngineEvent.Sampled) {
            // a batch committed with its checkpoint row (the database is the authority), a sample observed:
            // neither announces an action, so neither waits for the disk (see docs/timeline-format.md)
            writer.record(type(event), actor(event), event.step(), attempt(event), body(event));
            return;
        }
        writer.append(type(event), actor(event), event.step(), attempt(event), body(event));
    }

    private void open(EngineEvent.RunOpened opened) {
        openWriter(opened);
        file = writer.file();
    }

    private void openWriter(EngineEvent.RunOpened opened) {
        Path existing = opened.resumed() ? fileToContinue(dir, opened.runId()) : null;
        // a file whose first process died before its open record reached the disk is started afresh
        if (existing != null && !TimelineWriter.neverOpened(existing)) {
            ReopenedBy by = new ReopenedBy(info.operator(), info.pid());
            ReopenedTimeline reopened = key == null
                    ? TimelineWriter.reopenUnsigned(existing, redactor, clock, by)
                    : TimelineWriter.reopen(existing, key, redactor, clock, by);
            writer = reopened.writer();
            for (StepInDoubt doubt : reopened.recovery().stepsInDoubt()) {
                stepsInDoubt.add(doubt.step());
            }
            writer.append("note", actor(opened), null, null, resumedNote(opened, reopened));
            return;
        }
        writer = key == null
                ? TimelineWriter.createUnsigned(dir, opened.runId(), redactor, clock)
                : TimelineWriter.create(dir, opened.runId(), key, redactor, clock);
        Map<String, Object> body = fields(
                "run",
                opened.runId(),
                "runbook_id",
                opened.runbookId(),
                "path",
                info.runbookPath().toString(),
                "sha256",
                opened.runbookSha256(),
                "source",
                info.source(),
                "git_commit",
                info.gitCommit(),
                "database",
                info.database(),
                "operator",
                info.operator(),
                "pid",
                info.pid(),
                "parameters",
                info.parameters(),
                "lockstep_version",
                info.lockstepVersion(),
                "resumed",
                opened.resumed(),
                "taken_over_from",
                opened.takenOverFrom());
        if (!body.containsKey("git_commit")) {
            body.put("git_commit", null);
        }
        writer.append("open", actor(opened), null, null, body);
    }

    /**
     * What the resuming process brings, after the writer's {@code recover} record: the open record holds the
     * first process's runbook, parameters, server and version, and any of them may differ now (a runbook
     * accepted as changed, a failover, an upgrade).
     */
    private Map<String, Object> resumedNote(EngineEvent.RunOpened opened, ReopenedTimeline reopened) {
        boolean runbookChanged = !opened.runbookSha256().equals(reopened.runbookSha256());
        return fields(
                "text",
                "run resumed by " + opened.holder()
                        + (opened.takenOverFrom() == null ? "" : ", taken over from " + opened.takenOverFrom())
                        + (runbookChanged ? ", with a changed runbook" : ""),
                "runbook_sha256",
                opened.runbookSha256(),
                "path",
                runbookChanged ? info.runbookPath().toString() : null,
                "source",
                runbookChanged ? info.source() : null,
                "git_commit",
                info.gitCommit(),
                "database",
                info.database(),
                "parameters",
                info.parameters(),
                "lockstep_version",
                info.lockstepVersion(),
                "taken_over_from",
                opened.takenOverFrom());
    }

    /**
     * The file a resumed run continues: {@code <run-id>.jsonl}, or, for a run an earlier Lockstep version
     * stopped and resumed, the last segment {@code <run-id>.<n>.jsonl} it started (so the story goes on where
     * it left off; no new segment is ever started). Null when the run has no timeline here yet.
     */
    static Path fileToContinue(Path dir, String runId) {
        Path latest = dir.resolve(runId + ".jsonl");
        if (!Files.exists(latest)) {
            return null;
        }
        for (int number = 2; Files.exists(dir.resolve(runId + "." + number + ".jsonl")); number++) {
            latest = dir.resolve(runId + "." + number + ".jsonl");
        }
        return latest;
    }

    /** The engine's event type, or the timeline's where the two differ. */
    private static String type(EngineEvent event) {
        return event instanceof EngineEvent.Recovered ? "note" : event.type();
    }

    private static String actor(EngineEvent event) {
        return event.actor().equals("engine") ? "engine" : "operator:" + event.actor();
    }

    private static Integer attempt(EngineEvent event) {
        return event.attempt() == 0 ? null : event.attempt();
    }

    /** Bodies as docs/timeline-format.md defines them. */
    private Map<String, Object> body(EngineEvent event) {
        if (event instanceof EngineEvent.StepStarted started) {
            Map<String, Object> body = fields("kind", started.kind(), "transactional", started.transactional());
            plan.step(started.step()).ifPresent(step -> describe(step, body));
            if (plan.boundaries().contains(started.step())) {
                body.put("boundary", true);
            }
            proves(started.step(), body);
            return body;
        }
        if (event instanceof EngineEvent.StepEnded ended && plan.boundaries().contains(ended.step())) {
            // the rollback boundary: crossed once this step ends ok (docs/timeline-format.md)
            Map<String, Object> body = new java.util.LinkedHashMap<>(event.body());
            body.put("boundary", true);
            return body;
        }
        if (event instanceof EngineEvent.Verified verified) {
            return proves(
                    verified.step(),
                    fields(
                            "step",
                            verified.step(),
                            "sql",
                            verified.sql(),
                            "expected",
                            verified.expected(),
                            "actual",
                            verified.actual(),
                            "ok",
                            verified.passed()));
        }
        if (event instanceof EngineEvent.BatchCommitted batch) {
            return fields(
                    "step",
                    batch.step(),
                    "batch",
                    batch.batch(),
                    "from",
                    batch.fromKey(),
                    "to",
                    batch.toKey(),
                    "rows",
                    batch.rows(),
                    "duration_ms",
                    batch.durationMs(),
                    "batch_size",
                    batch.keys(),
                    "next_size",
                    batch.nextSize(),
                    "keys_done",
                    batch.keysDone(),
                    "rows_done",
                    batch.rowsDone());
        }
        if (event instanceof EngineEvent.ApprovalGiven approval) {
            return proves(
                    approval.step(),
                    fields(
                            "step",
                            approval.step(),
                            "by",
                            approval.actor(),
                            "how",
                            approval.source().equals("prompt") ? "console" : approval.source(),
                            "reason",
                            approval.reason()));
        }
        if (event instanceof EngineEvent.DecisionMade decision) {
            return fields(
                    "what",
                    decision.decision().replace('-', '_'),
                    "by",
                    decision.actor(),
                    "reason",
                    decision.reason(),
                    "detail",
                    decision.detail());
        }
        if (event instanceof EngineEvent.Recovered recovered) {
            return fields("text", recovered.what() + ": " + recovered.detail(), "recovered", recovered.what());
        }
        return event.body();
    }

    /**
     * Marks the record of a step the runbook marks {@code evidence:} (its start, its approval, its verify) with
     * what the step proves, so that an auditor finds the backup's proof without the runbook at hand.
     */
    private Map<String, Object> proves(String step, Map<String, Object> body) {
        Evidence proves = step == null ? null : plan.evidence().get(step);
        if (proves != null) {
            body.put("evidence", proves.name().toLowerCase(Locale.ROOT));
        }
        return body;
    }

    private static void describe(StepPlan step, Map<String, Object> body) {
        if (step instanceof StepPlan.Sql sql) {
            body.put("sql", sql.sql());
            body.put("lock_timeout", sql.lockTimeout().toMillis() + "ms");
        } else if (step instanceof StepPlan.Check check) {
            body.put("sql", check.sql());
        } else if (step instanceof StepPlan.Wait wait) {
            body.put("sql", wait.condition().sql());
        } else if (step instanceof StepPlan.Backfill backfill) {
            body.put("sql", backfill.plan().sql());
            body.put("table", backfill.plan().table());
            body.put("lock_timeout", backfill.plan().lockTimeout().toMillis() + "ms");
        } else if (step instanceof StepPlan.Approval approval) {
            body.put("prompt", approval.prompt());
        }
    }

    private static Map<String, Object> fields(Object... keysAndValues) {
        return EngineEvent.fields(keysAndValues);
    }
}
