package dev.lockstep.probe;

/**
 * The one lag figure per standby given with {@code --standby}, derived by {@link LagRule}. {@code
 * lagSeconds} and {@code lagBytes} are null when they cannot be known honestly; {@code reason} says why in
 * words an operator can act on.
 */
public record StandbyLag(
        String label,
        State state,
        Double lagSeconds,
        Long lagBytes,
        Source lagSource,
        boolean replayPaused,
        String reason) {

    /** Where {@code lagSeconds} comes from; null when it is unknown. */
    public enum Source {
        /** Everything received is replayed and the stream is alive: 0. */
        CAUGHT_UP,
        /** Age of the oldest WAL not replayed, from the primary's positions seen at each tick (lower bound). */
        PRIMARY_WAL_HISTORY,
        /** Time since the last replayed commit on the standby (upper bound: includes idle time). */
        LAST_REPLAYED_COMMIT;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

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

    /** The standby is reachable, in recovery and its stream alive: its distance from the primary means something. */
    public boolean streaming() {
        return state == State.CAUGHT_UP || state == State.LAGGING;
    }
}
