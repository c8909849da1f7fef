package dev.lockstep.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockstep.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every runbook under runbooks/ is valid, binds with its defaults, and the schema knows every field. */
class ExampleRunbooksTest {
    static final Path RUNBOOKS = Path.of(System.getProperty("lockstep.repo.root"), "runbooks");

    static Stream<Path> runbooks() throws IOException {
        try (Stream<Path> files = Files.list(RUNBOOKS)) {
            return files.filter(path -> path.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @Test
    void thereAreAtLeastSevenExamples() throws IOException {
        assertThat(runbooks().map(path -> path.getFileName().toString()))
                .contains(
                        "enforcement-case-priority.yaml",
                        "enforcement-case-priority-not-null.yaml",
                        "customer-display-name-expand.yaml",
                        "customer-display-name-contract.yaml",
                        "orders-created-at-index.yaml",
                        "orders-customer-fk-not-valid.yaml",
                        "orders-shipping-address-normalise.yaml");
    }

    @ParameterizedTest
    @MethodSource("runbooks")
    void isValidAndBindsWithDefaults(Path file) {
        Runbook runbook = RunbookLoader.load(file);
        Runbook bound = runbook.bind(java.util.Map.of());

        assertThat(bound.isBound()).isTrue();
        assertThat(bound.source()).isEqualTo(runbook.source());
        assertThat(bound.steps()).hasSameSizeAs(runbook.steps());
        assertThat(bound.sha256()).hasSize(64).isEqualTo(runbook.sha256());
    }

    @Test
    void validateCommandAcceptsThemAll() throws IOException {
        List<String> args = new ArrayList<>(List.of("validate"));
        runbooks().map(Path::toString).forEach(args::add);

        CliRun run = CliRun.of(args.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out().lines()).allMatch(line -> line.endsWith(": ok")).hasSize(args.size() - 1);
    }

    @Test
    void schemaIsJsonAndNamesEveryTopLevelField() throws IOException {
        CliRun run = CliRun.of("schema");
        JsonNode schema = new ObjectMapper().readTree(run.out());

        assertThat(run.exitCode()).isZero();
        assertThat(schema.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        List<String> fields = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(fields::add);
        assertThat(fields)
                .containsExactlyInAnyOrder(
                        "lockstep",
                        "id",
                        "title",
                        "owner",
                        "intent",
                        "change",
                        "window",
                        "parameters",
                        "stop_criteria",
                        "steps",
                        "recovery");
        List<String> kinds = new ArrayList<>();
        schema.path("$defs")
                .path("step")
                .path("oneOf")
                .forEach(kind -> kinds.add(
                        kind.path("properties").path("kind").path("const").asText()));
        assertThat(kinds).containsExactlyInAnyOrder("sql", "check", "wait", "approval", "backfill", "note", "ledger");
    }

    @Test
    void docsCarryTheSameSchemaAsTheCommand() throws IOException {
        Path docsCopy = RUNBOOKS.resolveSibling("docs/runbook.schema.json");

        assertThat(Files.readString(docsCopy)).isEqualTo(RunbookSchema.json());
    }
}
