package dev.lockstep.recovery;

/**
 * Something a failed step left behind that Lockstep knows how to remove: an INVALID index from CREATE
 * INDEX CONCURRENTLY. {@code repairSql} is the built-in repair, run only when the operator chooses it.
 */
public record Leftover(String description, String repairSql) {}
