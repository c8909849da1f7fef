package dev.lockstep.probe;

/**
 * How one part of a server's snapshot went this tick. {@code reason} says why a part is missing: switched
 * off for good (privilege, feature), timed out this tick, or failed this tick.
 */
public record PartStatus(State state, double durationMs, String reason) {

    public enum State {
        OK,
        /** Switched off once for lack of privilege or of the feature; not retried on this connection. */
        OFF,
        /** Cancelled by the statement timeout this tick; tried again next tick. */
        TIMED_OUT,
        /** Another error this tick; tried again next tick. */
        FAILED,
        /** Not asked this tick because the server is unreachable. */
        SKIPPED;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static PartStatus ok(double durationMs) {
        return new PartStatus(State.OK, durationMs, null);
    }

    public boolean succeeded() {
        return state == State.OK;
    }
}
