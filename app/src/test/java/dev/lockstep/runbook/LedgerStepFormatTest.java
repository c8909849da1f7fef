package dev.lockstep.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kind: ledger} as written in a runbook: its keys, its typed model, and the errors that point at them. */
class LedgerStepFormatTest {
    private static final String HEAD =
            """
            lockstep: 1
            id: test
            title: Test
            owner: tests
            intent: Testing.
            change: { class: R1, phase: expand }
            steps:
            """;

    @TempDir
    Path dir;

    private Path write(String steps) throws IOException {
        Path file = dir.resolve("rb.yaml");
        Files.writeString(file, HEAD + steps);
        return file;
    }

    private List<String> problems(String steps) throws IOException {
        Path file = write(steps);
        return RunbookLoader.check(file).problems().stream()
                .map(problem -> problem.toString().substring(file.toString().length() + 1))
                .toList();
    }

    @Test
    void aLedgerStepLoadsTyped() throws IOException {
        Path file = write(
                """
                  - id: flyway-at-42
                    kind: ledger
                    tool: flyway
                    schema: app
                    expect_version: "42"
                    acknowledge: V43 failed in the last deploy; the app team removes it first
                  - { id: liquibase-there, kind: ledger, tool: liquibase }
                """);

        assertThat(RunbookLoader.check(file).problems()).isEmpty();
        List<Step> steps = RunbookLoader.check(file).runbook().orElseThrow().steps();
        assertThat(steps.get(0))
                .isEqualTo(new LedgerStep(
                        "flyway-at-42",
                        Optional.empty(),
                        Optional.empty(),
                        "flyway",
                        Optional.of("app"),
                        Optional.of("42"),
                        Optional.of("V43 failed in the last deploy; the app team removes it first"),
                        OnFailure.NONE,
                        steps.get(0).marks()));
        assertThat(steps.get(1).kind()).isEqualTo("ledger");
        assertThat(((LedgerStep) steps.get(1)).expectVersion()).isEmpty();
    }

    @Test
    void errorsPointAtTheKey() throws IOException {
        assertThat(
                        problems(
                                """
                          - { id: a, kind: ledger, tool: flywy }
                          - { id: b, kind: ledger }
                          - { id: c, kind: ledger, tool: liquibase, sql: select 1 }
                        """))
                .containsExactly(
                        "8:34: tool: expected one of flyway, liquibase, got 'flywy' (did you mean 'flyway'?)",
                        "9:5: step 'b': missing required key 'tool'",
                        "10:45: key 'sql' does not apply to a ledger step (step 'c'); it belongs to sql, check, wait,"
                                + " backfill steps");
    }
}
