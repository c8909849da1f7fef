package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.timeline.OperatorKey;
import dev.lockstep.timeline.Redactor;
import dev.lockstep.timeline.TimelineClock;
import dev.lockstep.timeline.TimelineWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimelineCommandsTest {
    @TempDir
    Path dir;

    @Test
    void keygenWritesAnOwnerOnlyKeyPrintsTheFingerprintAndRefusesToOverwrite() throws IOException {
        Path key = dir.resolve("op.key");

        CliRun first = CliRun.of("keygen", "--out", key.toString());
        CliRun second = CliRun.of("keygen", "--out", key.toString());

        assertThat(first.exitCode()).isZero();
        assertThat(first.out()).containsPattern("SHA256:[A-Za-z0-9+/]{43}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("op.key.pub"))).startsWith("lockstep-ed25519 ");
        assertThat(second.exitCode()).isEqualTo(2);
        assertThat(second.err()).startsWith("lockstep: ").contains("already exists");
    }

    @Test
    void verifyReportsCompleteThenTamperedWithExitCodesAndJson() throws IOException {
        Path timeline = closedRun();
        String pub = dir.resolve("op.key.pub").toString();

        CliRun complete = CliRun.of("verify", timeline.toString(), "--pubkey", pub);
        String text = Files.readString(timeline, StandardCharsets.UTF_8);
        Files.writeString(timeline, text.replace("\"reason\":\"checked\"", "\"reason\":\"chekked\""));
        CliRun tampered = CliRun.of("verify", timeline.toString(), "--pubkey", pub, "--json");

        assertThat(complete.exitCode()).isZero();
        assertThat(complete.out()).startsWith("COMPLETE: run run-cli");
        assertThat(tampered.exitCode()).isEqualTo(6);
        assertThat(tampered.out())
                .contains("\"verdict\" : \"TAMPERED\"")
                .contains("\"line\" : 5")
                .contains("line 4 was changed");
    }

    @Test
    void verifyOfAMissingFileIsAUsageError() {
        OperatorKey.generate().save(dir.resolve("op.key"));

        CliRun run = CliRun.of(
                "verify",
                dir.resolve("nope.jsonl").toString(),
                "--pubkey",
                dir.resolve("op.key.pub").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .isEqualTo(
                        "lockstep: timeline " + dir.resolve("nope.jsonl") + " does not exist" + System.lineSeparator());
    }

    @Test
    void evidenceWritesTheBundle() throws IOException {
        Path timeline = closedRun();

        CliRun run = CliRun.of(
                "evidence",
                timeline.toString(),
                "--out",
                dir.resolve("bundle").toString(),
                "--pubkey",
                dir.resolve("op.key.pub").toString());

        assertThat(run.exitCode()).isZero();
        assertThat(dir.resolve("bundle/report.html")).exists();
        assertThat(dir.resolve("bundle/evidence.json")).exists();
        assertThat(run.out()).contains("COMPLETE");
    }

    private Path closedRun() {
        OperatorKey key = OperatorKey.generate();
        key.save(dir.resolve("op.key"));
        TimelineWriter writer = TimelineWriter.create(
                dir, "run-cli", OperatorKey.load(dir.resolve("op.key")), Redactor.defaults(), TimelineClock.system());
        writer.append("open", "operator:alice", null, null, Map.of("runbook_id", "CHG-1"));
        writer.append(
                "decision",
                "operator:alice",
                null,
                null,
                Map.of("what", "override", "by", "alice", "reason", "checked"));
        writer.close(Map.of("state", "done", "exit_code", 0));
        return writer.file();
    }
}
