package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No secret value appears anywhere in the timeline bytes or in the evidence bundle, not even hashed. */
class SecretsTest {
    @TempDir
    Path dir;

    @Test
    void secretsNeverReachTheTimelineOrTheBundle() throws IOException {
        OperatorKey key = OperatorKey.generate();
        TimelineWriter writer = RealisticRun.start(dir, "run-secret", key);
        writer.append(
                "step_start",
                "system",
                "rotate-role",
                1,
                Map.of("sql", "ALTER ROLE app PASSWORD '" + RealisticRun.DB_PASSWORD + "'"));
        writer.append(
                "step_end",
                "system",
                "rotate-role",
                1,
                Map.of("result", "failed", "message", "role app: password=" + RealisticRun.DB_PASSWORD + " rejected"));
        writer.append(
                "note",
                "operator:alice",
                null,
                null,
                Map.of(
                        "conn",
                        "host=db1 user=app password=" + RealisticRun.DB_PASSWORD,
                        "list",
                        List.of("ok", "jdbc:postgresql://db1/cases?password=" + RealisticRun.DB_PASSWORD)));
        RealisticRun.finish(writer);
        Path bundle = dir.resolve("bundle");
        EvidenceBundle.write(
                EvidenceBundle.read(writer.file(), key.publicKey()), Files.readAllBytes(writer.file()), bundle);

        List<String> secrets = List.of(
                RealisticRun.DB_PASSWORD,
                RealisticRun.API_TOKEN,
                Hashing.hex(Hashing.sha256(RealisticRun.DB_PASSWORD.getBytes(StandardCharsets.UTF_8))),
                Hashing.hex(Hashing.sha256(RealisticRun.API_TOKEN.getBytes(StandardCharsets.UTF_8))));
        String timeline = Files.readString(writer.file());
        assertThat(timeline).contains("{\"redacted\":true}");
        for (String secret : secrets) {
            assertThat(timeline).doesNotContain(secret);
        }
        try (Stream<Path> files = Files.walk(bundle)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = Files.readString(file);
                for (String secret : secrets) {
                    assertThat(content).as("%s", file).doesNotContain(secret);
                }
            }
        }
        assertThat(TimelineVerifier.verify(writer.file(), key.publicKey()).verdict())
                .isEqualTo(Verdict.COMPLETE);
    }

    @Test
    void redactorReplacesWholeValuesByNameByValueAndByPattern() throws IOException {
        Redactor redactor =
                Redactor.forRun(java.util.Set.of("db_password"), Map.of("db_password", "s3cr3t!"), List.of());

        String redacted = CanonicalJson.write(redactor.redact(TimelineJson.MAPPER.valueToTree(Map.of(
                "parameters", Map.of("db_password", "s3cr3t!", "batch_size", 500),
                "sql", "select 's3cr3t!'",
                "uri", "postgresql://app:pw@db1/cases",
                "password", "x",
                "plain", "postgresql://db1/cases"))));

        assertThat(redacted)
                .isEqualTo("{\"parameters\":{\"batch_size\":500,\"db_password\":{\"redacted\":true}},"
                        + "\"password\":{\"redacted\":true},\"plain\":\"postgresql://db1/cases\","
                        + "\"sql\":{\"redacted\":true},\"uri\":{\"redacted\":true}}");
    }
}
