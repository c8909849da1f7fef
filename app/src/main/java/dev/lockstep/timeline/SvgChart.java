package dev.lockstep.timeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small inline SVG line chart: no scripts, no external files, readable when printed. The time axis spans
 * the whole timeline, and the time no process ran the run is shaded, with no line drawn across it: from a
 * clean stop to its resume ("stopped"), and from the last line a killed process wrote to the reopening
 * after the crash ("crashed").
 */
final class SvgChart {
    private static final int WIDTH = 520;
    private static final int HEIGHT = 160;
    private static final int LEFT = 56;
    private static final int RIGHT = 12;
    private static final int TOP = 24;
    private static final int BOTTOM = 28;

    private SvgChart() {}

    static String render(String title, List<Evidence.Point> points, Evidence evidence) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
                WIDTH,
                HEIGHT,
                EvidenceReport.escape(title)));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>",
                LEFT,
                EvidenceReport.escape(title)));
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>",
                LEFT,
                TOP,
                plotWidth,
                plotHeight));
        double minX = 0;
        double maxX = evidence.spanSeconds();
        for (Evidence.Point point : points) {
            minX = Math.min(minX, point.seconds());
            maxX = Math.max(maxX, point.seconds());
        }
        double spanX = maxX > minX ? maxX - minX : 1;
        List<Downtime> downtimes = downtimes(evidence);
        for (Downtime downtime : downtimes) {
            double from = LEFT + (downtime.from() - minX) / spanX * plotWidth;
            double to = LEFT + (downtime.to() - minX) / spanX * plotWidth;
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#e6e6e6\"><title>%s</title></rect>",
                    from,
                    TOP,
                    Math.max(to - from, 1.0),
                    plotHeight,
                    downtime.what()));
            svg.append(label((int) Math.round(from) + 2, TOP + 12, "start", downtime.what()));
        }
        if (points.isEmpty()) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#666\">no data recorded</text>",
                    LEFT + 10,
                    TOP + plotHeight / 2));
            return svg.append("</svg>\n").toString();
        }
        double maxY = 0;
        for (Evidence.Point point : points) {
            maxY = Math.max(maxY, point.value());
        }
        double spanY = maxY > 0 ? maxY : 1;
        StringBuilder path = new StringBuilder();
        Evidence.Point previous = null;
        for (Evidence.Point point : points) {
            if (previous != null && downBetween(downtimes, previous, point)) {
                polyline(svg, path);
                path.setLength(0);
            }
            double x = LEFT + (point.seconds() - minX) / spanX * plotWidth;
            double y = TOP + plotHeight - point.value() / spanY * plotHeight;
            path.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            previous = point;
        }
        polyline(svg, path);
        svg.append(label(LEFT - 4, TOP + 4, "end", number(maxY)));
        svg.append(label(LEFT - 4, TOP + plotHeight, "end", "0"));
        svg.append(label(LEFT, HEIGHT - 8, "start", number(minX) + " s"));
        svg.append(label(WIDTH - RIGHT, HEIGHT - 8, "end", number(maxX) + " s"));
        return svg.append("</svg>\n").toString();
    }

    private static void polyline(StringBuilder svg, StringBuilder path) {
        svg.append("<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1.5\" points=\"")
                .append(path.toString().strip())
                .append("\"/>");
    }

    /** A time no process ran the run: {@code what} is "stopped" (a clean stop) or "crashed". */
    private record Downtime(double from, double to, String what) {}

    private static List<Downtime> downtimes(Evidence evidence) {
        List<Downtime> downtimes = new ArrayList<>();
        for (Evidence.Stop stop : evidence.stops()) {
            downtimes.add(new Downtime(stop.stoppedAtSeconds(), stop.resumedAtSeconds(), "stopped"));
        }
        for (Evidence.Crash crash : evidence.crashes()) {
            downtimes.add(new Downtime(crash.lastLineAtSeconds(), crash.recoveredAtSeconds(), "crashed"));
        }
        return downtimes;
    }

    /** Whether the run stood stopped or dead between two readings: then no line joins them. */
    private static boolean downBetween(List<Downtime> downtimes, Evidence.Point before, Evidence.Point after) {
        for (Downtime downtime : downtimes) {
            if (before.seconds() <= downtime.from() && downtime.to() <= after.seconds()) {
                return true;
            }
        }
        return false;
    }

    private static String label(int x, int y, String anchor, String text) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"%s\" fill=\"#444\">%s</text>",
                x,
                y,
                anchor,
                EvidenceReport.escape(text));
    }

    private static String number(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }
}
