package dev.lockstep.timeline;

/** A step with a {@code step_start} and no {@code step_end}: it may or may not have taken effect. */
public record StepInDoubt(String step, Integer attempt, long startSeq) {}
