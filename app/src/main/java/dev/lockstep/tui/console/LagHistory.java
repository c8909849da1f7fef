package dev.lockstep.tui.console;

import dev.lockstep.probe.Snapshot;
import dev.lockstep.probe.StandbyLag;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replication lag per standby over the last minutes, from the snapshots the console has seen, for the
 * sparklines. A sample whose lag is unknown is kept as a gap, never as 0.
 */
final class LagHistory {

    static final Duration KEPT = Duration.ofMinutes(10);

    record Point(Instant at, Double lagSeconds) {}

    private final Map<String, Deque<Point>> byStandby = new LinkedHashMap<>();
    private Instant last;

    /** Adds the snapshot's figures once (a snapshot seen again adds nothing). */
    void add(Snapshot snapshot) {
        if (snapshot == null || (last != null && !snapshot.takenAt().isAfter(last))) {
            return;
        }
        last = snapshot.takenAt();
        for (StandbyLag lag : snapshot.standbyLag()) {
            Deque<Point> points = byStandby.computeIfAbsent(lag.label(), label -> new ArrayDeque<>());
            points.addLast(new Point(snapshot.takenAt(), lag.lagSeconds()));
            while (!points.isEmpty()
                    && points.peekFirst().at().isBefore(snapshot.takenAt().minus(KEPT))) {
                points.removeFirst();
            }
        }
    }

    /** The points of one standby, oldest first. */
    List<Point> of(String standby) {
        return new ArrayList<>(byStandby.getOrDefault(standby, new ArrayDeque<>()));
    }

    /**
     * The last {@code width} points as a sparkline: each character's height is its lag against the highest
     * lag shown; a gap (unknown) is '?', and a standby with no lag at all shows the lowest level throughout.
     */
    String sparkline(String standby, int width, String levels) {
        List<Point> points = of(standby);
        List<Point> shown = points.subList(Math.max(0, points.size() - width), points.size());
        double highest = shown.stream()
                .filter(point -> point.lagSeconds() != null)
                .mapToDouble(Point::lagSeconds)
                .max()
                .orElse(0);
        StringBuilder line = new StringBuilder(width);
        for (Point point : shown) {
            if (point.lagSeconds() == null) {
                line.append('?');
            } else if (highest <= 0) {
                line.append(levels.charAt(0));
            } else {
                int level = (int) Math.round(point.lagSeconds() / highest * (levels.length() - 1));
                line.append(levels.charAt(Math.max(0, Math.min(levels.length() - 1, level))));
            }
        }
        return line.toString();
    }
}
