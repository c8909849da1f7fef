package dev.lockstep.engine;

/**
 * Unwinds the engine to the run loop when the run must stop resumable: an operator's signal, an abort
 * criterion, a pause that nobody can resume, a decision nobody can take. Never leaves the engine.
 */
final class RunStopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RunStopped(String reason) {
        super(reason, null, false, false);
    }
}
