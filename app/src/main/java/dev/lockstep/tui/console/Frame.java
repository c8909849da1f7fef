package dev.lockstep.tui.console;

import dev.lockstep.engine.RunView;
import dev.lockstep.probe.Snapshot;
import java.time.Instant;
import java.time.ZoneId;

/**
 * Everything one frame is drawn from: the run's view (null when watching without a run), the probe snapshot,
 * the lag history, the operator's screen state and the time of the frame.
 *
 * @param readOnly nothing can be changed from this console (watch, or an observer of another's run)
 */
record Frame(
        RunView run, Snapshot snapshot, LagHistory lag, ConsoleState ui, Instant now, ZoneId zone, boolean readOnly) {}
