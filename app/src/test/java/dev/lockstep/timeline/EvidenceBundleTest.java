package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
