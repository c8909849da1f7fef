package dev.lockstep.timeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lockstep.LockstepException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds the evidence of a run from its timeline and writes the bundle: {@code evidence.json},
 * {@code report.md}, a self-contained {@code report.html}, the runbook copy under {@code runbook/} and
 * the timeline itself, so the bundle can be verified again offline.
 */
public final class EvidenceBundle {
    private EvidenceBundle() {}

    /**
     * Reads the timeline once, verifies it ({@code operatorKey} null: signatures not checked) and writes
     * the bundle into {@code out}, which must not exist or be empty.
     */
    public static Evidence export(Path timeline, OperatorPublicKey operatorKey, Path out) {
        byte[] bytes = readTimeline(timeline);
        Evidence evidence = of(bytes, TimelineVerifier.verify(bytes, operatorKey));
        write(evidence, bytes, out);
        return evidence;
    }

    /** Reads and verifies the timeline; {@code operatorKey} null means signatures are not checked. */
    public static Evidence read(Path timeline, OperatorPublicKey operatorKey) {
        byte[] bytes = readTimeline(timeline);
        return of(bytes, TimelineVerifier.verify(bytes, operatorKey));
    }

    private static byte[] readTimeline(Path timeline) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(timeline);
        } catch (NoSuchFileException e) {
            throw LockstepException.usage("timeline " + timeline + " does not exist");
        } catch (IOException e) {
            throw LockstepException.usage("cannot read timeline " + timeline + ": " + e.getMessage());
        }
        return bytes;
    }

    static Evidence of(byte[] bytes, VerifyResult verification) {
        List<Evidence.Event> events = parse(bytes);
        JsonNode open = events.stream()
                .filter(e -> e.type().equals("open"))
                .map(Evidence.Event::body)
                .findFirst()
                .orElse(TimelineJson.MAPPER.createObjectNode());
        // each attempt keeps the place of its step_start; its end fills that place in
        Map<String, Integer> started = new LinkedHashMap<>();
        List<Evidence.StepRun> steps = new ArrayList<>();
        List<Evidence.Event> approvals = new ArrayList<>();
        List<Evidence.Event> breaches = new ArrayList<>();
        List<Evidence.Event> decisions = new ArrayList<>();
        List<Evidence.Event> verifications = new ArrayList<>();
        List<Evidence.Event> backupEvidence = new ArrayList<>();
        List<Evidence.Event> recovers = new ArrayList<>();
        List<Evidence.Stop> stops = new ArrayList<>();
        List<Evidence.Crash> crashes = new ArrayList<>();
        List<Evidence.Event> notes = new ArrayList<>();
        List<Evidence.Point> lockWaits = new ArrayList<>();
        List<Evidence.Point> lag = new ArrayList<>();
        List<Evidence.Point> throughput = new ArrayList<>();
        Evidence.Boundary boundary = new Evidence.Boundary(false, null, null);
        Evidence.Event close = null;
        Instant first = events.isEmpty() ? null : instant(events.get(0).ts());
        Evidence.Event previous = null;
        for (Evidence.Event event : events) {
            JsonNode body = event.body();
            double seconds = secondsSince(first, event.ts());
            switch (event.type()) {
                case "step_start" -> {
                    started.put(key(event), steps.size());
                    steps.add(inDoubt(event));
                }
                case "step_end" -> {
                    Integer at = started.remove(key(event));
                    boolean marked = body.path("boundary").asBoolean(false);
                    Evidence.StepRun ended = new Evidence.StepRun(
                            event.step(),
                            event.attempt(),
                            at == null ? null : steps.get(at).startedAt(),
                            event.ts(),
                            text(body, "result"),
                            body.path("rows").isNumber() ? body.get("rows").longValue() : null,
                            body.path("duration_ms").isNumber()
                                    ? body.get("duration_ms").longValue()
                                    : null,
                            text(body, "sqlstate"),
                            text(body, "message"),
                            marked);
                    if (at == null) {
                        steps.add(ended);
                    } else {
                        steps.set(at, ended);
                    }
                    if (marked && "ok".equals(text(body, "result")) && !boundary.crossed()) {
                        boundary = new Evidence.Boundary(true, event.step(), event.ts());
                    }
                }
                case "approval" -> {
                    approvals.add(event);
                    provesBackup(event, backupEvidence);
                }
                case "breach", "clear" -> breaches.add(event);
                case "decision" -> decisions.add(event);
                case "verify" -> {
                    verifications.add(event);
                    provesBackup(event, backupEvidence);
                }
                case "recover" -> {
                    if ("close".equals(text(body, "after")) && close != null) {
                        stops.add(new Evidence.Stop(close, event, secondsSince(first, close.ts()), seconds));
                    } else {
                        // a crash: the steps it interrupted stay in doubt, with no end (their place already
                        // says so); the time from the dead process's last line to this reopening is downtime
                        recovers.add(event);
                        started.clear();
                        if (previous != null) {
                            crashes.add(
                                    new Evidence.Crash(previous, event, secondsSince(first, previous.ts()), seconds));
                        }
                    }
                    close = null;
                }
                case "note" -> notes.add(event);
                case "close" -> {
                    close = event;
                    // a clean stop ends the steps it interrupted; they are not in doubt
                    for (int at : started.values()) {
                        Evidence.StepRun run = steps.get(at);
                        steps.set(
                                at,
                                new Evidence.StepRun(
                                        run.step(),
                                        run.attempt(),
                                        run.startedAt(),
                                        event.ts(),
                                        "stopped",
                                        null,
                                        null,
                                        null,
                                        null,
                                        false));
                    }
                    started.clear();
                }
                case "sample" -> {
                    point(lockWaits, seconds, body, "lock_wait_seconds");
                    point(lag, seconds, body, "replication_lag_seconds");
                }
                case "batch" -> {
                    long rows = body.path("rows").asLong(-1);
                    long millis = body.path("duration_ms").asLong(0);
                    if (rows >= 0 && millis > 0) {
                        throughput.add(new Evidence.Point(seconds, rows * 1000.0 / millis));
                    }
                }
                default -> {
                    // state, session_key and checkpoint lines are covered by the verification result
                }
            }
            previous = event;
        }
        // attempts still in `started` have no end yet: in doubt, as their places already say
        double span = events.isEmpty()
                ? 0
                : secondsSince(first, events.get(events.size() - 1).ts());
        return new Evidence(
                verification,
                verification.runId(),
                open,
                runbook(open),
                steps,
                approvals,
                breaches,
                decisions,
                verifications,
                backupEvidence,
                recovers,
                stops,
                crashes,
                notes,
                boundary,
                close,
                span,
                lockWaits,
                lag,
                throughput);
    }

    /** An approval or verify of a step the runbook marks {@code evidence: backup} is the backup's proof. */
    private static void provesBackup(Evidence.Event event, List<Evidence.Event> backupEvidence) {
        if ("backup".equals(text(event.body(), "evidence"))) {
            backupEvidence.add(event);
        }
    }

    /**
     * An attempt known from its step_start alone: in doubt (no end) until its step_end or a clean close
     * ends it; a crash leaves it so.
     */
    private static Evidence.StepRun inDoubt(Evidence.Event start) {
        return new Evidence.StepRun(
                start.step(), start.attempt(), start.ts(), null, "in doubt", null, null, null, null, false);
    }

    /** Writes the bundle into {@code out}, which must not exist or be empty. */
    public static void write(Evidence evidence, byte[] timelineBytes, Path out) {
        try {
            if (Files.isDirectory(out)) {
                try (Stream<Path> entries = Files.list(out)) {
                    if (entries.findAny().isPresent()) {
                        throw LockstepException.usage(out + " is not empty: choose a new directory for the bundle");
                    }
                }
            }
            Files.createDirectories(out);
            Files.write(out.resolve("timeline.jsonl"), timelineBytes);
            Files.writeString(
                    out.resolve("evidence.json"),
                    TimelineJson.MAPPER
                                    .copy()
                                    .enable(SerializationFeature.INDENT_OUTPUT)
                                    .writeValueAsString(EvidenceJson.of(evidence))
                            + "\n",
                    StandardCharsets.UTF_8);
            Files.writeString(out.resolve("report.md"), EvidenceReport.markdown(evidence), StandardCharsets.UTF_8);
            Files.writeString(out.resolve("report.html"), EvidenceReport.html(evidence), StandardCharsets.UTF_8);
            Evidence.Runbook runbook = evidence.runbook();
            if (runbook.source() != null) {
                Path dir = out.resolve("runbook");
                Files.createDirectories(dir);
                Files.writeString(dir.resolve(runbook.fileName()), runbook.source(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw LockstepException.usage("cannot write the evidence bundle to " + out + ": " + e.getMessage());
        }
    }

    private static Evidence.Runbook runbook(JsonNode open) {
        JsonNode sourceNode = open.get("source");
        String source = sourceNode != null && sourceNode.isTextual() ? sourceNode.textValue() : null;
        String sha256 = text(open, "sha256");
        Boolean matches = source == null || sha256 == null
                ? null
                : Hashing.hex(Hashing.sha256(source.getBytes(StandardCharsets.UTF_8)))
                        .equals(sha256);
        String path = text(open, "path");
        String fileName =
                path == null ? "runbook.yaml" : Path.of(path).getFileName().toString();
        if (fileName.isBlank() || fileName.startsWith(".")) {
            fileName = "runbook.yaml";
        }
        return new Evidence.Runbook(
                text(open, "runbook_id"), path, fileName, sha256, matches, source, text(open, "git_commit"));
    }

    private static List<Evidence.Event> parse(byte[] bytes) {
        List<Evidence.Event> events = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            try {
                JsonNode line = TimelineJson.MAPPER.readTree(bytes, start, i + 1 - start);
                events.add(new Evidence.Event(
                        line.path("seq").asLong(-1),
                        line.path("ts").asText(""),
                        line.path("actor").asText(""),
                        text(line, "step"),
                        line.path("attempt").isInt() ? line.get("attempt").intValue() : null,
                        line.path("type").asText(""),
                        line.path("body").isObject() ? line.get("body") : TimelineJson.MAPPER.createObjectNode()));
            } catch (IOException e) {
                // An unreadable line is reported by the verification result; the rest still tells its story.
            }
            start = i + 1;
        }
        return events;
    }

    private static String key(Evidence.Event event) {
        return event.step() + "#" + event.attempt();
    }

    private static void point(List<Evidence.Point> series, double seconds, JsonNode body, String name) {
        if (body.path(name).isNumber()) {
            series.add(new Evidence.Point(seconds, body.get(name).doubleValue()));
        }
    }

    private static Instant instant(String ts) {
        try {
            return Instant.parse(ts);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static double secondsSince(Instant first, String ts) {
        Instant at = instant(ts);
        return first == null || at == null ? 0 : Duration.between(first, at).toMillis() / 1000.0;
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.isTextual() ? value.textValue() : value.toString();
    }
}
