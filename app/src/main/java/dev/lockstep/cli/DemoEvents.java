package dev.lockstep.cli;

import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.EngineListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The run's events as the demo's story sees them: kept, typed, so that the drill waits for what the run
 * actually did (a breach, a pause) instead of guessing with sleeps or reading printed text back.
 */
final class DemoEvents implements EngineListener {

    private final List<EngineEvent> events = new ArrayList<>();

    @Override
    public void on(EngineEvent event) {
        synchronized (events) {
            events.add(event);
            events.notifyAll();
        }
    }

    /** Whether an event so far matches. */
    boolean seen(Predicate<EngineEvent> wanted) {
        synchronized (events) {
            return events.stream().anyMatch(wanted);
        }
    }

    /**
     * Waits until an event matches, {@code giveUp} holds or the timeout passes; true when the event came. The
     * wait wakes at least every half second to look at {@code giveUp}.
     */
    boolean await(Predicate<EngineEvent> wanted, BooleanSupplier giveUp, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (events) {
            while (true) {
                if (events.stream().anyMatch(wanted)) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || giveUp.getAsBoolean()) {
                    return false;
                }
                events.wait(Math.max(1, Math.min(500, left / 1_000_000)));
            }
        }
    }
}
