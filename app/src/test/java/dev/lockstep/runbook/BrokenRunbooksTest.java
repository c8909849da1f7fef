package dev.lockstep.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.ExitCode;
import dev.lockstep.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each broken runbook gives exactly its expected FILE:LINE:COL: message lines (broken/expected.txt) and exit 3. */
class BrokenRunbooksTest {
    static final Path BROKEN =
            Path.of(System.getProperty("lockstep.repo.root"), "app/src/test/resources/runbooks/broken");

    static Stream<String> brokenFiles() throws IOException {
        try (Stream<Path> files = Files.list(BROKEN)) {
            return files
                    .map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest
    @MethodSource("brokenFiles")
    void reportsTheExpectedProblemsAndExitsThree(String name) throws IOException {
        List<String> expected = Files.readAllLines(BROKEN.resolve("expected.txt")).stream()
                .filter(line -> line.startsWith(name + ":"))
                .toList();

        CliRun run = CliRun.of("validate", BROKEN.resolve(name).toString());

        assertThat(expected).as("expected.txt names " + name).isNotEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_RUNBOOK.code());
        assertThat(run.out()).isEmpty();
        assertThat(run.err().replace(BROKEN + "/", "").lines().toList()).containsExactlyElementsOf(expected);
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
