package dev.lockstep.recovery;

/**
 * One option for a failed step: whether its preconditions hold, why (or why not), and what it would do.
 *
 * @param effect what choosing it runs or records, in a line ("runs recovery step fix-dupes, then step
 *     add-unique again")
 */
public record Offer(Choice choice, boolean available, String why, String effect) {}
