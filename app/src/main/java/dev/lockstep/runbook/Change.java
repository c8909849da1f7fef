package dev.lockstep.runbook;

/** {@code change: { class: R2, phase: expand }}: what kind of change this runbook makes. */
public record Change(ChangeClass changeClass, Phase phase) {}
