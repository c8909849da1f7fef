package dev.lockstep.recovery;

/**
 * One thing inspection found, as the operator reads it: {@code blocker} "pid 4242, app billing, idle in
 * transaction for 3m12s". {@code name} is stable (docs/recovery.md lists them); {@code value} is for people.
 */
public record Fact(String name, String value) {}
