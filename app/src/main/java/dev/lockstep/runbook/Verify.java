package dev.lockstep.runbook;

/** {@code verify: { sql: ..., expect: { equals: 2 } }}: the post-check that proves a step did its work. */
public record Verify(String sql, Expectation expect) {}
