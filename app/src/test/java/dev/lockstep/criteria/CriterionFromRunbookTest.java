package dev.lockstep.criteria;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.runbook.StopAction;
import dev.lockstep.runbook.UnknownPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CriterionFromRunbookTest {

    private static final Path RUNBOOKS = Path.of(System.getProperty("lockstep.repo.root"), "runbooks");

    private static List<Criterion> criteriaOf(String file) {
        Runbook runbook = RunbookLoader.load(RUNBOOKS.resolve(file), Map.of());
        return Criterion.fromRunbook(runbook.stopCriteria());
    }

    @Test
    void aBuiltInPauseWithDebounceAndHysteresis() {
        Criterion lockQueue = criteriaOf("customer-display-name-contract.yaml").get(0);

        assertThat(lockQueue)
                .isEqualTo(new Criterion(
                        "lock-queue",
                        SignalRef.builtIn(Signals.LOCK_WAIT_SECONDS),
                        Comparison.ABOVE,
                        3,
                        Duration.ofSeconds(2),
                        1,
                        StopAction.PAUSE,
                        UnknownPolicy.BREACH,
                        false));
    }

    @Test
    void aCustomSqlSignalIsNamedAfterItsCriterionAndClearsAtItsThreshold() {
        Criterion appErrors = criteriaOf("customer-display-name-contract.yaml").get(1);

        assertThat(appErrors.signal())
                .isEqualTo(SignalRef.sql(
                        "app-errors", "select count(*) from app_error where at > now() - interval '1 minute'"));
        assertThat(appErrors.signal().key()).isEqualTo("sql:app-errors");
        assertThat(appErrors.action()).isEqualTo(StopAction.ABORT);
        assertThat(appErrors.clearThreshold()).isEqualTo(20);
        assertThat(appErrors.debounce()).isZero();
    }

    @Test
    void belowDurationsAutoResumeAndUnknownIgnoreCarryOver() {
        List<Criterion> expand = criteriaOf("customer-display-name-expand.yaml");
        List<Criterion> index = criteriaOf("orders-created-at-index.yaml");

        assertThat(expand)
                .filteredOn(criterion -> criterion.id().equals("window-closing"))
                .singleElement()
                .satisfies(window -> {
                    assertThat(window.comparison()).isEqualTo(Comparison.BELOW);
                    assertThat(window.threshold()).isEqualTo(600);
                    assertThat(window.clearThreshold()).isEqualTo(600);
                });
        assertThat(expand).filteredOn(Criterion::autoResume).isNotEmpty();
        assertThat(index)
                .filteredOn(criterion -> criterion.id().equals("old-transactions"))
                .singleElement()
                .satisfies(old -> {
                    assertThat(old.unknownPolicy()).isEqualTo(UnknownPolicy.IGNORE);
                    assertThat(old.threshold()).isEqualTo(600);
                });
    }

    @Test
    void everyExampleRunbooksCriteriaMakeAnEvaluator() throws IOException {
        try (Stream<Path> files = Files.list(RUNBOOKS)) {
            List<Path> runbooks =
                    files.filter(path -> path.toString().endsWith(".yaml")).toList();
            assertThat(runbooks).isNotEmpty();
            for (Path path : runbooks) {
                Runbook runbook = RunbookLoader.load(path, Map.of());

                StopCriteriaEvaluator evaluator =
                        new StopCriteriaEvaluator(Criterion.fromRunbook(runbook.stopCriteria()));

                assertThat(evaluator.criteria()).as(path.toString()).hasSameSizeAs(runbook.stopCriteria());
            }
        }
    }
}
