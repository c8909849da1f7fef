package dev.lockstep.probe;

import java.time.Instant;

/**
 * WAL positions as this server sees them. On a primary only {@code currentLsn} is set. On a standby:
 * receive and replay positions, the pause state ("not paused", "pause requested", "paused"), the time of the
 * last replayed commit and the WAL receiver's status and last message time (receiver fields are null when
 * no receiver runs).
 */
public record Recovery(
        boolean inRecovery,
        String currentLsn,
        String receiveLsn,
        String replayLsn,
        String pauseState,
        Instant lastReplayTime,
        Double sinceLastReplaySeconds,
        String receiverStatus,
        Instant lastMsgReceiptTime,
        Double sinceLastMessageSeconds,
        String senderHost,
        Integer senderPort,
        String receiverSlotName,
        Integer walReceiverTimeoutMs) {

    public boolean replayPaused() {
        return "paused".equals(pauseState) || "pause requested".equals(pauseState);
    }
}
