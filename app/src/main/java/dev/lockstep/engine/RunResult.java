package dev.lockstep.engine;

import dev.lockstep.ExitCode;

/** How a run ended: its id (null when none was started), final state, exit code and one line for people. */
public record RunResult(String runId, RunState state, ExitCode exitCode, String message) {}
