package dev.lockstep.engine;

/**
 * Receives the engine's events on the engine's thread, in order. A listener that throws stops the run:
 * the timeline is write-ahead, so an event it cannot record must not be acted on.
 */
@FunctionalInterface
public interface EngineListener {
    void on(EngineEvent event);
}
