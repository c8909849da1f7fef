package dev.lockstep.timeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What a run leaves for an auditor, read from its timeline: who ran which runbook against which
 * database, who approved what, every step's outcome, breaches and what was done, decisions with reasons,
 * whether the rollback boundary was crossed, the verification checks, and whether the timeline itself
 * verifies. A run stopped and resumed is one story: {@code stops} lists each clean stop with the resume
 * that followed it, {@code recovers} the reopenings after a crash ({@code crashes} the same with the
 * downtime they ended), and {@code close} is the outcome: the last close, unless the run was resumed
 * after it (then null: the run has not ended in this file). {@code steps} holds every attempt in the
 * order it started, with its real end or none (in doubt).
 *
 * @param backupEvidence the approvals and verifies of steps the runbook marks {@code evidence: backup} (their
 *     records carry {@code evidence: "backup"}): the proof of a restore-tested backup before destruction
 * @param spanSeconds seconds from the first line to the last, the time axis of the charts
 */
public record Evidence(
        VerifyResult timeline,
        String runId,
        JsonNode open,
        Runbook runbook,
        List<StepRun> steps,
        List<Event> approvals,
        List<Event> breaches,
        List<Event> decisions,
        List<Event> verifications,
        List<Event> backupEvidence,
        List<Event> recovers,
        List<Stop> stops,
        List<Crash> crashes,
        List<Event> notes,
        Boundary boundary,
        Event close,
        double spanSeconds,
        List<Point> lockWaitSeconds,
        List<Point> replicationLagSeconds,
        List<Point> backfillRowsPerSecond) {

    /** One event as it stands in the timeline: when, who, which step, and its body. */
    public record Event(long seq, String ts, String actor, String step, Integer attempt, String type, JsonNode body) {}

    /** One attempt of one step, from its step_start and step_end. */
    public record StepRun(
            String step,
            Integer attempt,
            String startedAt,
            String endedAt,
            String result,
            Long rows,
            Long durationMs,
            String sqlstate,
            String message,
            boolean boundary) {}

    /**
     * The runbook as the open record carries it. {@code sha256Matches} compares the recorded SHA-256 with
     * that of the source text; null when the source is not in the timeline (or was redacted).
     */
    public record Runbook(
            String id,
            String path,
            String fileName,
            String sha256,
            Boolean sha256Matches,
            String source,
            String gitCommit) {}

    /**
     * The rollback boundary: crossed once a step that the engine marked {@code boundary: true} (a step
     * after which rollback is no longer possible, such as a contract-phase destructive step) ended ok.
     */
    public record Boundary(boolean crossed, String step, String at) {}

    /**
     * A clean stop in the middle of the run: its {@code close} record (state, exit code, message: why it
     * stopped) and the {@code recover} record with {@code after: close} that resumed it (who, which pid,
     * when), with both times in seconds since the first line for the charts.
     */
    public record Stop(Event close, Event resume, double stoppedAtSeconds, double resumedAtSeconds) {}

    /**
     * A process that died: the last line it wrote and the {@code recover} record (after a crash) of the
     * process that reopened the file, with both times in seconds since the first line. Between them
     * nothing was recorded; the charts shade that time and draw no line across it.
     */
    public record Crash(Event lastLine, Event recover, double lastLineAtSeconds, double recoveredAtSeconds) {}

    /** A value over time, seconds since the first line. */
    public record Point(double seconds, double value) {}
}
