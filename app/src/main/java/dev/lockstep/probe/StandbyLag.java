package dev.lockstep.probe;

/**
 * The one lag figure per standby given with {@code --standby}, derived by {@link LagRule}. {@code
 * lagSeconds} and {@code lagBytes} are null when they cannot be known honestly; {@code reason} says why in
 * words an operator can act on.
 */
public record StandbyLag(
        String label, State state, Double lagSeconds, Long lagBytes, boolean replayPaused, String reason) {

    public enum State {
        /** Streaming, fresh messages, everything received is replayed: lag 0 even if the primary is idle. */
        CAUGHT_UP,
        /** WAL received but not yet replayed: seconds since the last replayed commit. */
        LAGGING,
        /** No WAL receiver, or not streaming: the time lag is unknown. */
        STREAM_DOWN,
        /** Streaming by status, but no message from the primary for longer than the receiver's ping period. */
        STREAM_STALE,
        /** The server given as a standby is not in recovery. */
        NOT_IN_RECOVERY,
        /** The monitoring connection to the standby is down. */
        UNREACHABLE;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean known() {
        return lagSeconds != null;
    }
}
