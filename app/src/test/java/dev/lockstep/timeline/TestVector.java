package dev.lockstep.timeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The test vector of docs/timeline-format.md: fixed seeds and clocks, a tiny run that is stopped and
 * resumed once, and everything a verifier in another language needs to check itself against. {@code main}
 * prints the docs section.
 */
final class TestVector {
    static final String OPERATOR_SEED = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    static final String SESSION_SEED = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
    static final String RESUMED_SESSION_SEED = "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";
    static final String RUN = "vector-2";

    private TestVector() {}

    static String generate(Path dir) throws IOException {
        OperatorKey operator = OperatorKey.fromSeed(Hashing.fromHex(OPERATOR_SEED));
        Redactor redactor = Redactor.forRun(Set.of("db_password"), Map.of("db_password", "s3cret-vector"), List.of());
        TimelineWriter writer = TimelineWriter.create(
                dir,
                RUN,
                operator,
                redactor,
                new SteppingClock(Instant.parse("2026-11-20T00:00:00Z"), 100),
                () -> Ed25519.fromSeed(Hashing.fromHex(SESSION_SEED)));
        Map<String, Object> open = new LinkedHashMap<>();
        open.put("runbook_id", "CHG-1");
        open.put("parameters", Map.of("db_password", "s3cret-vector", "batch_size", 1000));
        open.put(
                "database",
                Map.of(
                        "database",
                        "cases",
                        "host",
                        "db1",
                        "system_identifier",
                        "7400000000000000001",
                        "version",
                        "17.6"));
        writer.append("open", "engine", null, null, open);
        writer.append(
                "step_start", "engine", "add-col", 1, Map.of("kind", "sql", "sql", "ALTER TABLE t ADD COLUMN c int"));
        writer.append(
                "step_end",
                "engine",
                "add-col",
                1,
                Map.of("result", "ok", "rows", 0, "duration_ms", 12, "note", "é \"q\" \t"));
        writer.close(Map.of("state", "stopped", "exit_code", 4));
        // resumed an hour later by another process: same file, a new session key
        TimelineWriter resumed = TimelineWriter.reopen(
                        writer.file(),
                        operator,
                        redactor,
                        new SteppingClock(Instant.parse("2026-11-20T01:00:00Z"), 100),
                        new ReopenedBy("bob@bastion", 4242),
                        () -> Ed25519.fromSeed(Hashing.fromHex(RESUMED_SESSION_SEED)))
                .writer();
        resumed.append("state", "engine", null, null, Map.of("from", "stopped", "to", "running", "reason", "resumed"));
        resumed.close(Map.of("state", "done", "exit_code", 0));

        byte[] bytes = Files.readAllBytes(writer.file());
        List<String> lines = TimelineTamperTest.splitLines(bytes);
        StringBuilder out = new StringBuilder();
        out.append("operator seed (hex)   ").append(OPERATOR_SEED).append('\n');
        out.append("operator public key   ")
                .append(operator.publicKey().base64())
                .append('\n');
        out.append("operator fingerprint  ").append(operator.fingerprint()).append('\n');
        out.append("session seed (hex)    ").append(SESSION_SEED).append('\n');
        out.append("session public key    ")
                .append(Hashing.base64(Ed25519.rawPublic(
                        Ed25519.fromSeed(Hashing.fromHex(SESSION_SEED)).getPublic())))
                .append('\n');
        out.append("resumed session seed  ").append(RESUMED_SESSION_SEED).append('\n');
        out.append("resumed session key   ")
                .append(Hashing.base64(Ed25519.rawPublic(
                        Ed25519.fromSeed(Hashing.fromHex(RESUMED_SESSION_SEED)).getPublic())))
                .append('\n');
        out.append("genesis prev          ")
                .append(TimelineFormat.genesisPrev(RUN))
                .append('\n');
        out.append("\nlines (each ends with one \\n, shown here one per row):\n\n");
        for (String line : lines) {
            out.append(line);
        }
        out.append("\nSHA-256 of each line including its \\n (= prev of the next line):\n\n");
        MerkleTree tree = new MerkleTree();
        for (int i = 0; i < lines.size(); i++) {
            byte[] line = lines.get(i).getBytes(StandardCharsets.UTF_8);
            out.append("seq ")
                    .append(i)
                    .append("  ")
                    .append(Hashing.hex(Hashing.sha256(line)))
                    .append('\n');
        }
        out.append("\nRFC 6962 Merkle root over lines 0..n-1:\n\n");
        for (int i = 0; i < lines.size(); i++) {
            tree.append(lines.get(i).getBytes(StandardCharsets.UTF_8));
            out.append("n ")
                    .append(i + 1)
                    .append("  ")
                    .append(Hashing.hex(tree.root()))
                    .append('\n');
        }
        out.append("\nsigned messages of the session key certificates, then of the two final checkpoints (each"
                + " checkpoint line with the value of its sig member left empty):\n\n");
        for (int i = 0; i < lines.size(); i++) {
            var line = TimelineJson.MAPPER.readTree(lines.get(i));
            if (line.get("type").asText().equals("session_key")) {
                out.append(new String(
                        TimelineFormat.sessionKeyMessage(
                                RUN,
                                i,
                                line.get("prev").asText(),
                                line.get("body").get("key").asText()),
                        StandardCharsets.UTF_8));
                out.append('\n');
            }
        }
        for (String text : lines) {
            var body = TimelineJson.MAPPER.readTree(text).get("body");
            if (body.path("final").asBoolean(false)) {
                byte[] line = text.getBytes(StandardCharsets.UTF_8);
                out.append(new String(
                        TimelineFormat.checkpointSigned(
                                line, 0, line.length, body.get("sig").asText()),
                        StandardCharsets.UTF_8));
            }
        }
        return out.toString();
    }

    public static void main(String... args) throws IOException {
        Path dir = Files.createTempDirectory("vector");
        System.out.print(generate(dir));
    }
}
