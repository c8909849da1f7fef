package dev.lockstep.tui;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT (Ctrl-C), SIGHUP (a dropped SSH session) and SIGTERM stop the run at a safe point (after the batch
 * or statement in flight) instead of killing the JVM, so the run is left resumable. SIGKILL cannot be
 * caught; the checkpoint design covers it. Closing puts the previous handlers back, so a caller that runs
 * the command in-process (the demo) gets its signals again once the run is over.
 */
public final class StopSignals implements AutoCloseable {

    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

    private StopSignals() {}

    /** @param stop asks the run to stop at its next safe point, with the reason it will report */
    public static StopSignals install(Consumer<String> stop) {
        StopSignals installed = new StopSignals();
        for (String name : new String[] {"INT", "HUP", "TERM"}) {
            try {
                Signal signal = new Signal(name);
                installed.previous.put(
                        signal,
                        Signal.handle(
                                signal,
                                received -> stop.accept(
                                        "SIG" + received.getName() + " received: stopped at a safe point")));
            } catch (IllegalArgumentException unavailable) {
                // the platform or the JVM (-Xrs) does not offer this signal; the others still work
            }
        }
        return installed;
    }

    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}
