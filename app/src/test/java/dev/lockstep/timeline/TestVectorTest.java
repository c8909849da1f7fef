package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our code reproduces, byte for byte, the test vector published in docs/timeline-format.md. */
class TestVectorTest {
    @Test
    void docsVectorIsWhatTheWriterProduces(@TempDir Path dir) throws IOException {
        String docs = Files.readString(Path.of(System.getProperty("lockstep.repo.root"), "docs", "timeline-format.md"));
        String begin = "<!-- test-vector:begin -->\n```text\n";
        String end = "```\n<!-- test-vector:end -->";
        int from = docs.indexOf(begin);
        int to = docs.indexOf(end);
        assertThat(from).as("vector markers in the docs").isPositive();
        String published = docs.substring(from + begin.length(), to);

        String generated = TestVector.generate(dir);

        assertThat(generated).isEqualTo(published);
        assertThat(TimelineVerifier.verify(
                                dir.resolve(TestVector.RUN + ".jsonl"),
                                OperatorKey.fromSeed(Hashing.fromHex(TestVector.OPERATOR_SEED))
                                        .publicKey())
                        .verdict())
                .isEqualTo(Verdict.COMPLETE);
    }
}
