package dev.lockstep.timeline;

/**
 * A timeline reopened for appending, after a crash or a clean stop, and what the reopening found.
 *
 * @param runbookSha256 the runbook SHA-256 the open record holds (null when it holds none), so that a
 *     resume with a changed runbook can record the new one
 */
public record ReopenedTimeline(TimelineWriter writer, Recovery recovery, String runbookSha256) {}
