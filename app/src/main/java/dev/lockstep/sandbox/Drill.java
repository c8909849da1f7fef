package dev.lockstep.sandbox;

/**
 * A real fault injected into a sandbox for a recovery drill. {@link #inject} does it and says what it did;
 * {@link #close} undoes it (idempotent, also after a failed inject) and says what it undid. Every session a
 * drill opens is labelled {@code application_name = 'lockstep-drill'}.
 */
public interface Drill extends AutoCloseable {

    /** The scenario name, as on the command line. */
    String scenario();

    /** Injects the fault; returns one line for the operator saying what was done. */
    String inject();

    /** Undoes the fault; returns one line saying what was undone. Never throws. */
    String undo();

    @Override
    default void close() {
        undo();
    }
}
