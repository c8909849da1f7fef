package dev.lockstep.probe;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

/**
 * The primary's WAL position at each tick, so that a standby's time lag can be read as "it still misses WAL
 * the primary had written by T": the age of the oldest WAL it has not replayed, measured like the walsender's
 * lag tracker but across ticks. An idle primary adds no WAL, so nothing ages; a paused standby's missing WAL
 * ages by the second. Not thread-safe: the prober's thread owns it.
 */
final class WalHistory {

    /** An hour of one-second ticks; older positions only matter for lags beyond any stop criterion. */
    static final int CAPACITY = 3600;

    private record Position(Instant at, long lsn) {}

    private final Deque<Position> positions = new ArrayDeque<>();

    void record(Instant at, String lsn) {
        Long position = Lsn.parse(lsn);
        if (position == null) {
            return;
        }
        Position last = positions.peekLast();
        if (last != null && last.lsn() == position) {
            // only changes matter: the first instant each position was seen is kept
            return;
        }
        positions.addLast(new Position(at, position));
        if (positions.size() > CAPACITY) {
            positions.removeFirst();
        }
    }

    /**
     * When the primary was first seen past {@code replayLsn}, if the history also shows it at or before that
     * position (otherwise the history does not reach back far enough to say).
     */
    Optional<Instant> firstSeenBeyond(String replayLsn) {
        Long replay = Lsn.parse(replayLsn);
        if (replay == null) {
            return Optional.empty();
        }
        boolean seenAtOrBefore = false;
        Iterator<Position> iterator = positions.iterator();
        while (iterator.hasNext()) {
            Position position = iterator.next();
            if (position.lsn() <= replay) {
                seenAtOrBefore = true;
            } else {
                return seenAtOrBefore ? Optional.of(position.at()) : Optional.empty();
            }
        }
        return Optional.empty();
    }
}
