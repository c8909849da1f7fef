package dev.lockstep.probe;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One honest lag figure per standby (documented in docs/watch-json.md, "Standby lag"). It must not be
 * fooled by an idle primary (now() - last replay time grows forever when nothing is written) nor by a dead
 * stream (receive = replay also holds when nothing arrives any more).
 *
 * <ol>
 *   <li>standby unreachable: {@code unreachable}, lag unknown;
 *   <li>not in recovery: {@code not_in_recovery}, lag unknown;
 *   <li>no WAL receiver or its status is not {@code streaming}: {@code stream_down}, seconds unknown;
 *   <li>last message from the upstream older than wal_receiver_timeout / 2 + {@value #STALE_GRACE_SECONDS}
 *       s (the receiver pings every wal_receiver_timeout / 2 on an idle link): {@code stream_stale},
 *       seconds unknown;
 *   <li>everything received is replayed: {@code caught_up}, 0 s;
 *   <li>otherwise {@code lagging}: the age of the oldest WAL the standby has not replayed, from the
 *       primary's WAL position recorded at each tick ({@code primary_wal_history}, a lower bound within one
 *       interval); when the history does not reach back that far (the watch just started), the time since
 *       the last replayed commit on the standby ({@code last_replayed_commit}, an upper bound: it also counts
 *       time the primary was idle).
 * </ol>
 *
 * Bytes are primary current LSN − standby replay LSN when the primary was read in the same tick, otherwise
 * standby receive − replay; unknown when the standby is unreachable or not in recovery.
 */
final class LagRule {

    static final int STALE_GRACE_SECONDS = 10;

    private LagRule() {}

    static StandbyLag evaluate(ServerSnapshot standby, ServerSnapshot primary, WalHistory history, Instant now) {
        String label = standby.label();
        if (!standby.reachable()) {
            return unknown(
                    label,
                    StandbyLag.State.UNREACHABLE,
                    null,
                    false,
                    "unreachable since " + standby.unreachableSince() + " (" + standby.unreachableReason() + ")");
        }
        Recovery recovery = standby.recovery();
        if (recovery == null) {
            PartStatus part = standby.part(ServerProbe.RECOVERY);
            return unknown(
                    label,
                    StandbyLag.State.STREAM_DOWN,
                    null,
                    false,
                    "recovery status not readable: " + (part == null ? "not read" : part.reason()));
        }
        if (!recovery.inRecovery()) {
            return unknown(label, StandbyLag.State.NOT_IN_RECOVERY, null, false, "not in recovery (a primary?)");
        }
        boolean paused = recovery.replayPaused();
        Long bytes = bytesBehind(recovery, primary);
        if (!"streaming".equals(recovery.receiverStatus())) {
            String status = recovery.receiverStatus() == null ? "no WAL receiver" : recovery.receiverStatus();
            return unknown(label, StandbyLag.State.STREAM_DOWN, bytes, paused, "WAL receiver not streaming: " + status);
        }
        Double staleAfter = staleAfterSeconds(recovery);
        Double sinceMessage = recovery.sinceLastMessageSeconds();
        if (staleAfter != null && (sinceMessage == null || sinceMessage > staleAfter)) {
            return unknown(
                    label,
                    StandbyLag.State.STREAM_STALE,
                    bytes,
                    paused,
                    "no message from the upstream for "
                            + (sinceMessage == null ? "ever" : Math.round(sinceMessage) + " s")
                            + " (limit " + Math.round(staleAfter) + " s)");
        }
        Long receive = Lsn.parse(recovery.receiveLsn());
        Long replay = Lsn.parse(recovery.replayLsn());
        if (receive != null && replay != null && replay >= receive) {
            return new StandbyLag(
                    label, StandbyLag.State.CAUGHT_UP, 0.0, bytes, StandbyLag.Source.CAUGHT_UP, paused, null);
        }
        Optional<Instant> oldestMissing = history.firstSeenBeyond(recovery.replayLsn());
        if (oldestMissing.isPresent()) {
            double seconds =
                    Math.max(0, Duration.between(oldestMissing.get(), now).toMillis() / 1000.0);
            return new StandbyLag(
                    label,
                    StandbyLag.State.LAGGING,
                    seconds,
                    bytes,
                    StandbyLag.Source.PRIMARY_WAL_HISTORY,
                    paused,
                    null);
        }
        Double seconds = recovery.sinceLastReplaySeconds();
        if (seconds == null) {
            return unknown(
                    label,
                    StandbyLag.State.LAGGING,
                    bytes,
                    paused,
                    "no transaction replayed since the standby started and no WAL history yet");
        }
        return new StandbyLag(
                label,
                StandbyLag.State.LAGGING,
                Math.max(0.0, seconds),
                bytes,
                StandbyLag.Source.LAST_REPLAYED_COMMIT,
                paused,
                null);
    }

    private static StandbyLag unknown(String label, StandbyLag.State state, Long bytes, boolean paused, String reason) {
        return new StandbyLag(label, state, null, bytes, null, paused, reason);
    }

    private static Long bytesBehind(Recovery standby, ServerSnapshot primary) {
        if (primary != null && primary.recovery() != null && primary.recovery().currentLsn() != null) {
            return Lsn.distance(primary.recovery().currentLsn(), standby.replayLsn());
        }
        return Lsn.distance(standby.receiveLsn(), standby.replayLsn());
    }

    /** Null when wal_receiver_timeout is 0: the receiver never pings, so silence proves nothing. */
    static Double staleAfterSeconds(Recovery recovery) {
        Integer timeoutMs = recovery.walReceiverTimeoutMs();
        if (timeoutMs == null || timeoutMs <= 0) {
            return null;
        }
        return timeoutMs / 2000.0 + STALE_GRACE_SECONDS;
    }
}
