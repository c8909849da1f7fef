package dev.lockstep.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.lockstep.probe.Snapshot;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code watch --json} document (docs/watch-json.md): the snapshot records in snake_case with explicit
 * nulls, ISO-8601 instants, and the stop-criteria signals on top.
 */
final class WatchJson {

    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING)
            .registerModule(new SimpleModule().addSerializer(Instant.class, ToStringSerializer.instance));

    private WatchJson() {}

    static String render(Snapshot snapshot) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("format", FORMAT_VERSION);
        document.put("taken_at", snapshot.takenAt());
        document.put("duration_ms", snapshot.durationMs());
        document.put("signals", signals(snapshot));
        document.put("standby_lag", snapshot.standbyLag());
        document.put("primary", snapshot.primary());
        document.put("standbys", snapshot.standbys());
        try {
            return MAPPER.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("snapshot not serialisable: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> signals(Snapshot snapshot) {
        Map<String, Object> signals = new LinkedHashMap<>();
        signals.put("lock_wait_seconds", snapshot.lockWaitSeconds().value());
        signals.put("blocked_sessions", snapshot.blockedSessions().wholeOrNull());
        signals.put("replication_lag_seconds", snapshot.replicationLagSeconds().value());
        signals.put("replication_lag_bytes", snapshot.replicationLagBytes().wholeOrNull());
        signals.put("slot_retained_bytes", snapshot.slotRetainedBytes().wholeOrNull());
        signals.put("oldest_xact_seconds", snapshot.oldestXactSeconds().value());
        return signals;
    }
}
