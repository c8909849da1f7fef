package dev.lockstep.cli;

import dev.lockstep.engine.RunEngine;
import sun.misc.Signal;

/**
 * SIGINT (Ctrl-C) and SIGHUP (a dropped SSH session) stop the run at a safe point (after the batch or
 * statement in flight) instead of killing the JVM, so the run is left resumable. SIGKILL cannot be caught;
 * the checkpoint design covers it.
 */
final class StopSignals {

    private StopSignals() {}

    static void install(RunEngine engine) {
        for (String name : new String[] {"INT", "HUP", "TERM"}) {
            try {
                Signal.handle(
                        new Signal(name),
                        signal -> engine.requestStop("SIG" + signal.getName() + " received: stopped at a safe point"));
            } catch (IllegalArgumentException unavailable) {
                // the platform or the JVM (-Xrs) does not offer this signal; the others still work
            }
        }
    }
}
