package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceBundleTest {
    @TempDir
    Path dir;

    @Test
    void bundleAnswersWhoApprovedWhatChangedWhenAndWhetherItVerifies() throws IOException {
        OperatorKey key = OperatorKey.generate();
        Path timeline = RealisticRun.write(dir, "run-ev", key);
        Path out = dir.resolve("bundle");

        EvidenceBundle.write(EvidenceBundle.read(timeline, key.publicKey()), Files.readAllBytes(timeline), out);

        JsonNode json =
                TimelineJson.MAPPER.readTree(out.resolve("evidence.json").toFile());
        assertThat(json.at("/timeline_verification/verdict").asText()).isEqualTo("COMPLETE");
        assertThat(json.at("/runbook/sha256_matches_copy").asBoolean()).isTrue();
        assertThat(json.at("/runbook/git_commit").asText()).isEqualTo("3f1c2d4e5f60718293a4b5c6d7e8f90112233445");
        assertThat(json.at("/database/system_identifier").asText()).isEqualTo("7412345678901234567");
        assertThat(json.at("/operator").asText()).isEqualTo("alice@bastion-1");
        assertThat(json.at("/approvals/0/body/by").asText()).isEqualTo("bob");
        assertThat(json.at("/decisions/0/body/reason").asText()).contains("report job");
        assertThat(json.at("/breaches/0/body/action").asText()).isEqualTo("pause");
        assertThat(json.at("/rollback_boundary/crossed").asBoolean()).isTrue();
        assertThat(json.at("/rollback_boundary/step").asText()).isEqualTo("drop-legacy-default");
        assertThat(json.at("/verifications/0/body/ok").asBoolean()).isTrue();
        JsonNode steps = json.get("steps");
        assertThat(steps).hasSize(6);
        assertThat(steps.get(2).get("step").asText()).isEqualTo("add-columns");
        assertThat(steps.get(2).get("result").asText()).isEqualTo("failed");
        assertThat(steps.get(2).get("sqlstate").asText()).isEqualTo("55P03");
        assertThat(steps.get(4).get("rows").asLong()).isEqualTo(40_000);
        assertThat(Files.readString(out.resolve("runbook/assignee-split.yaml"))).isEqualTo(RealisticRun.RUNBOOK_SOURCE);
        assertThat(Files.readAllBytes(out.resolve("timeline.jsonl"))).isEqualTo(Files.readAllBytes(timeline));
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html)
                .contains("<svg")
                .contains("Lock wait (s)")
                .contains("Replication lag (s)")
                .contains("Backfill throughput")
                .contains("<polyline");
        assertThat(html).doesNotContain("<script").doesNotContain("src=\"http");
        String markdown = Files.readString(out.resolve("report.md"));
        assertThat(markdown)
                .contains("COMPLETE")
                .contains("CROSSED by step drop-legacy-default")
                .contains("| bob |");
    }

    @Test
    void aRunStoppedAndResumedIsOneStoryWithItsStopsAndWhoResumedIt() throws IOException {
        // given: stopped by SIGINT in fill, resumed by carol, paused unattended, resumed by dave, done
        OperatorKey key = OperatorKey.generate();
        TimelineWriter first = StopAndResumeTest.startAndStop(dir, "run-stops", key);
        Path timeline = first.file();
        TimelineWriter second = StopAndResumeTest.resume(timeline, key, StopAndResumeTest.CAROL);
        second.append("sample", "engine", null, null, Map.of("lock_wait_seconds", 0.5));
        second.append("sample", "engine", null, null, Map.of("lock_wait_seconds", 1.5));
        second.append("step_start", "engine", "fill", 2, Map.of("kind", "backfill"));
        StopAndResumeTest.stop(second, "stopped at step fill: paused by stop criterion app-errors, unattended");
        TimelineWriter third = StopAndResumeTest.resume(timeline, key, StopAndResumeTest.DAVE);
        third.append("sample", "engine", null, null, Map.of("lock_wait_seconds", 0.25));
        third.append("step_start", "engine", "fill", 3, Map.of("kind", "backfill"));
        third.append("step_end", "engine", "fill", 3, Map.of("result", "ok", "rows", 5000));
        third.close(Map.of("state", "done", "exit_code", 0, "message", "run done"));
        Path out = dir.resolve("bundle-stops");

        // when
        Evidence evidence = EvidenceBundle.read(timeline, key.publicKey());
        EvidenceBundle.write(evidence, Files.readAllBytes(timeline), out);

        // then
        JsonNode json =
                TimelineJson.MAPPER.readTree(out.resolve("evidence.json").toFile());
        assertThat(json.at("/timeline_verification/verdict").asText()).isEqualTo("COMPLETE");
        assertThat(json.at("/timeline_verification/resumes").asInt()).isEqualTo(2);
        assertThat(json.at("/close/body/state").asText()).isEqualTo("done");
        JsonNode stops = json.get("stops");
        assertThat(stops).hasSize(2);
        assertThat(stops.get(0).get("state").asText()).isEqualTo("stopped");
        assertThat(stops.get(0).get("exit_code").asInt()).isEqualTo(4);
        assertThat(stops.get(0).get("reason").asText()).isEqualTo("stopped at step fill: SIGINT received");
        assertThat(stops.get(0).at("/resumed/by").asText()).isEqualTo("carol@bastion-2");
        assertThat(stops.get(0).at("/resumed/pid").asLong()).isEqualTo(4242);
        assertThat(stops.get(1).get("reason").asText()).contains("unattended");
        assertThat(stops.get(1).at("/resumed/by").asText()).isEqualTo("dave@bastion-3");
        assertThat(json.get("recoveries")).isEmpty();
        assertThat(json.get("steps"))
                .extracting(step ->
                        step.get("attempt").asInt() + " " + step.get("result").asText())
                .containsExactly("1 stopped", "2 stopped", "3 ok");
        String markdown = Files.readString(out.resolve("report.md"));
        assertThat(markdown)
                .contains("stopped and resumed 2 times")
                .contains("| Outcome | state done, exit code 0 |")
                .contains("| Stopped and resumed | 2 times")
                .contains("## Stops and resumes")
                .contains("| carol@bastion-2 | 4242 |")
                .contains("| dave@bastion-3 | 5151 |");
        // the chart spans the whole file: both stops shaded, no line across them
        String html = Files.readString(out.resolve("report.html"));
        String lockWait = html.substring(html.indexOf("aria-label=\"Lock wait (s)\""));
        lockWait = lockWait.substring(0, lockWait.indexOf("</svg>"));
        assertThat(lockWait.split("<title>stopped</title>", -1)).hasSize(3);
        assertThat(lockWait.split("<polyline", -1)).hasSize(3);
        assertThat(evidence.spanSeconds()).isGreaterThan(evidence.stops().get(1).resumedAtSeconds());
    }

    @Test
    void anAttemptWhoseProcessDiedIsInDoubtInItsPlaceAndNoLineCrossesTheCrash() throws IOException {
        // given: attempt 1 of fill commits two batches and its process dies (the writer is dropped without a
        // close: every line it wrote is in the file, as after a SIGKILL); the next process reopens the file an
        // hour later and runs attempt 2 to the end
        OperatorKey key = OperatorKey.generate();
        TimelineWriter died = TimelineWriter.create(
                dir,
                "run-killed",
                key,
                Redactor.defaults(),
                new SteppingClock(Instant.parse("2026-11-20T22:00:00Z"), 250));
        died.append("open", "engine", null, null, Map.of("runbook_id", "CHG-1"));
        died.append("step_start", "engine", "precheck", 1, Map.of("kind", "check"));
        died.append("step_end", "engine", "precheck", 1, Map.of("result", "ok"));
        died.append("step_start", "engine", "fill", 1, Map.of("kind", "backfill"));
        died.record("batch", "engine", "fill", 1, Map.of("rows", 1000, "duration_ms", 40));
        died.record("batch", "engine", "fill", 1, Map.of("rows", 1000, "duration_ms", 50));
        Path timeline = died.file();
        TimelineWriter next = StopAndResumeTest.resume(timeline, key, StopAndResumeTest.CAROL);
        next.append("step_start", "engine", "fill", 2, Map.of("kind", "backfill"));
        next.record("batch", "engine", "fill", 2, Map.of("rows", 1000, "duration_ms", 45));
        next.record("batch", "engine", "fill", 2, Map.of("rows", 1000, "duration_ms", 40));
        next.append("step_end", "engine", "fill", 2, Map.of("result", "ok", "rows", 2000));
        next.close(Map.of("state", "done", "exit_code", 0, "message", "run done"));

        // when
        Evidence evidence = EvidenceBundle.read(timeline, key.publicKey());

        // then: every attempt in the order it started, the one the crash interrupted in doubt with no end
        assertThat(evidence.timeline().verdict()).isEqualTo(Verdict.COMPLETE);
        assertThat(evidence.steps())
                .extracting(step -> step.step() + " " + step.attempt() + " " + step.result() + " " + step.endedAt())
                .containsExactly(
                        "precheck 1 ok " + evidence.steps().get(0).endedAt(),
                        "fill 1 in doubt null",
                        "fill 2 ok " + evidence.steps().get(2).endedAt());
        assertThat(evidence.steps().get(2).endedAt()).isNotNull();
        assertThat(evidence.stops()).isEmpty();
        assertThat(evidence.close().body().path("state").asText()).isEqualTo("done");
        assertThat(evidence.crashes()).hasSize(1);
        Evidence.Crash crash = evidence.crashes().get(0);
        assertThat(crash.lastLine().type()).isEqualTo("batch");
        assertThat(crash.recover().body().path("after").asText()).isEqualTo("crash");
        assertThat(crash.recoveredAtSeconds() - crash.lastLineAtSeconds()).isGreaterThanOrEqualTo(3600);
        // and the throughput chart shades the downtime and draws one line per process, none across it
        String html = EvidenceReport.html(evidence);
        String throughput = html.substring(html.indexOf("aria-label=\"Backfill throughput (rows/s)\""));
        throughput = throughput.substring(0, throughput.indexOf("</svg>"));
        assertThat(throughput.split("<title>crashed</title>", -1)).hasSize(2);
        assertThat(throughput.split("<polyline", -1)).hasSize(3);
        assertThat(EvidenceReport.markdown(evidence)).contains("| Reopened after a crash | once");
    }

    @Test
    void aRunThatDiedAndWasNotResumedLeavesItsAttemptInDoubt() throws IOException {
        OperatorKey key = OperatorKey.generate();
        TimelineWriter died = TimelineWriter.create(
                dir,
                "run-dead",
                key,
                Redactor.defaults(),
                new SteppingClock(Instant.parse("2026-11-20T22:00:00Z"), 250));
        died.append("open", "engine", null, null, Map.of("runbook_id", "CHG-1"));
        died.append("step_start", "engine", "fill", 1, Map.of("kind", "backfill"));
        died.record("batch", "engine", "fill", 1, Map.of("rows", 1000, "duration_ms", 40));

        Evidence evidence = EvidenceBundle.read(died.file(), key.publicKey());

        assertThat(evidence.timeline().verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(evidence.steps())
                .extracting(step -> step.step() + " " + step.attempt() + " " + step.result() + " " + step.endedAt())
                .containsExactly("fill 1 in doubt null");
        assertThat(evidence.crashes()).isEmpty();
        assertThat(evidence.close()).isNull();
    }

    @Test
    void aCloseWhoseProcessDiedBeforeItsFinalCheckpointIsNoOutcomeOnceTheRunIsReopened() throws IOException {
        // given: a run that wrote its close and died before the final checkpoint, reopened after the crash
        OperatorKey key = OperatorKey.generate();
        Path timeline =
                StopAndResumeTest.startAndStop(dir, "run-close-died", key).file();
        List<String> lines = TimelineEdits.lines(timeline);
        assertThat(lines.get(lines.size() - 1)).contains("\"final\":true");
        Files.write(timeline, TimelineEdits.join(lines.subList(0, lines.size() - 1)));
        StopAndResumeTest.resume(timeline, key, StopAndResumeTest.CAROL);

        // when
        Evidence evidence = EvidenceBundle.read(timeline, key.publicKey());

        // then: the run goes on after that close; it has not ended in this file
        assertThat(evidence.recovers()).hasSize(1);
        assertThat(evidence.recovers().get(0).body().path("after").asText()).isEqualTo("crash");
        assertThat(evidence.close()).isNull();
        assertThat(EvidenceReport.markdown(evidence)).contains("| Outcome | no close record |");
    }

    @Test
    void aRunResumedAndNotClosedSinceHasNoOutcomeYet() throws IOException {
        OperatorKey key = OperatorKey.generate();
        Path timeline =
                StopAndResumeTest.startAndStop(dir, "run-open-again", key).file();
        StopAndResumeTest.resume(timeline, key, StopAndResumeTest.CAROL);

        Evidence evidence = EvidenceBundle.read(timeline, key.publicKey());

        assertThat(evidence.timeline().verdict()).isEqualTo(Verdict.INCOMPLETE);
        assertThat(evidence.close()).isNull();
        assertThat(evidence.stops()).hasSize(1);
        assertThat(EvidenceReport.markdown(evidence)).contains("| Outcome | no close record since the last resume |");
    }

    @Test
    void withoutAPublicKeyTheBundleSaysSignaturesWereNotChecked() throws IOException {
        Path timeline = RealisticRun.write(dir, "run-nokey", OperatorKey.generate());
        Path out = dir.resolve("bundle");

        EvidenceBundle.write(EvidenceBundle.read(timeline, null), Files.readAllBytes(timeline), out);

        assertThat(Files.readString(out.resolve("report.md"))).contains("signatures not checked");
        assertThat(TimelineJson.MAPPER
                        .readTree(out.resolve("evidence.json").toFile())
                        .at("/timeline_verification/signatures_checked")
                        .asBoolean())
                .isFalse();
    }
}
