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
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

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
        signals.put("lock_wait_seconds", value(snapshot.lockWaitSeconds()));
        signals.put("blocked_sessions", value(snapshot.blockedSessions()));
        signals.put("replication_lag_seconds", value(snapshot.replicationLagSeconds()));
        signals.put("replication_lag_bytes", value(snapshot.replicationLagBytes()));
        signals.put("slot_retained_bytes", value(snapshot.slotRetainedBytes()));
        signals.put("oldest_xact_seconds", value(snapshot.oldestXactSeconds()));
        return signals;
    }

    private static Double value(OptionalDouble value) {
        return value.isPresent() ? value.getAsDouble() : null;
    }

    private static Integer value(OptionalInt value) {
        return value.isPresent() ? value.getAsInt() : null;
    }

    private static Long value(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }
}
