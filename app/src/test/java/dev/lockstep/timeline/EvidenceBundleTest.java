package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
