package dev.lockstep.probe;

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
 *   <li>otherwise {@code lagging}: seconds since the last replayed commit (standby clock).
 * </ol>
 *
 * Bytes are primary current LSN − standby replay LSN when the primary was read in the same tick, otherwise
 * standby receive − replay; unknown when the standby is unreachable or not in recovery.
 */
public final class LagRule {

    static final int STALE_GRACE_SECONDS = 10;

    private LagRule() {}

    public static StandbyLag evaluate(ServerSnapshot standby, ServerSnapshot primary) {
        String label = standby.label();
        if (!standby.reachable()) {
            return new StandbyLag(
                    label,
                    StandbyLag.State.UNREACHABLE,
                    null,
                    null,
                    false,
                    "unreachable since " + standby.unreachableSince() + " (" + standby.unreachableReason() + ")");
        }
        Recovery recovery = standby.recovery();
        if (recovery == null) {
            PartStatus part = standby.part(ServerProbe.RECOVERY);
            return new StandbyLag(
                    label,
                    StandbyLag.State.STREAM_DOWN,
                    null,
                    null,
                    false,
                    "recovery status not readable: " + (part == null ? "not read" : part.reason()));
        }
        if (!recovery.inRecovery()) {
            return new StandbyLag(
                    label, StandbyLag.State.NOT_IN_RECOVERY, null, null, false, "not in recovery (a primary?)");
        }
        boolean paused = recovery.replayPaused();
        Long bytes = bytesBehind(recovery, primary);
        if (!"streaming".equals(recovery.receiverStatus())) {
            String status = recovery.receiverStatus() == null ? "no WAL receiver" : recovery.receiverStatus();
            return new StandbyLag(
                    label, StandbyLag.State.STREAM_DOWN, null, bytes, paused, "WAL receiver not streaming: " + status);
        }
        Double staleAfter = staleAfterSeconds(recovery);
        Double sinceMessage = recovery.sinceLastMessageSeconds();
        if (staleAfter != null && (sinceMessage == null || sinceMessage > staleAfter)) {
            return new StandbyLag(
                    label,
                    StandbyLag.State.STREAM_STALE,
                    null,
                    bytes,
                    paused,
                    "no message from the upstream for "
                            + (sinceMessage == null ? "ever" : Math.round(sinceMessage) + " s")
                            + " (limit " + Math.round(staleAfter) + " s)");
        }
        Long receive = Lsn.parse(recovery.receiveLsn());
        Long replay = Lsn.parse(recovery.replayLsn());
        if (receive != null && replay != null && replay >= receive) {
            return new StandbyLag(label, StandbyLag.State.CAUGHT_UP, 0.0, bytes, paused, null);
        }
        Double seconds = recovery.sinceLastReplaySeconds();
        return new StandbyLag(
                label,
                StandbyLag.State.LAGGING,
                seconds == null ? null : Math.max(0.0, seconds),
                bytes,
                paused,
                seconds == null ? "no transaction replayed since the standby started" : null);
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
