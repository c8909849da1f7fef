package dev.lockstep.timeline;

/** A timeline reopened for appending after an unclean end, and what the reopening found. */
public record ReopenedTimeline(TimelineWriter writer, Recovery recovery) {}
