package dev.lockstep.tui.console;

import static dev.lockstep.tui.console.ConsoleHarness.LARGE;
import static dev.lockstep.tui.console.ConsoleHarness.SMALL;
import static dev.lockstep.tui.console.Scenes.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The database section shows a migration ledger only when the database has one: a stuck lock or a failed entry
 * takes the second row even at 80x24; a healthy ledger waits for a taller terminal.
 */
@Timeout(30)
class ConsoleLedgerTest {

    private static List<String> database(ConsoleHarness console) {
        List<String> lines = console.lines();
        int rule = 0;
        while (!lines.get(rule).startsWith("── DATABASE")) {
            rule++;
        }
        int end = rule + 1;
        while (!lines.get(end).startsWith("── EVENTS")) {
            end++;
        }
        return lines.subList(rule + 1, end);
    }

    @Test
    void aStuckLiquibaseLockTakesTheSecondRowAt80x24() throws Exception {
        try (ConsoleHarness console = ConsoleHarness.run(SMALL, at(67), Scenes.fold())) {
            console.events(Scenes.opening())
                    .events(Scenes.backfillingWith(Scenes.healthyFlyway(), Scenes.stuckLiquibase()))
                    .tick();

            assertThat(String.join("\n", database(console)))
                    .isEqualTo(
                            """
                             locks: no waits
                             ledger liquibase public: at 2 | LOCKED 2h01m, holder gone: ci-runner-7 (10.254…\
                            """);
            assertThat(console.lines()).hasSize(24).allSatisfy(line -> assertThat(line.length())
                    .isLessThanOrEqualTo(80));
        }
    }

    @Test
    void aHealthyLedgerShowsOnlyOnATallerTerminal() throws Exception {
        try (ConsoleHarness small = ConsoleHarness.run(SMALL, at(67), Scenes.fold())) {
            small.events(Scenes.opening())
                    .events(Scenes.backfillingWith(Scenes.healthyFlyway()))
                    .tick();
            assertThat(String.join("\n", database(small))).doesNotContain("ledger");
        }
        try (ConsoleHarness large = ConsoleHarness.run(LARGE, at(67), Scenes.fold())) {
            large.events(Scenes.opening())
                    .events(Scenes.backfillingWith(Scenes.healthyFlyway()))
                    .tick();
            assertThat(database(large))
                    .contains(" ledger flyway public: at 41 | lock not detected")
                    .first()
                    .isEqualTo(" locks: no waits");
        }
    }

    @Test
    void noLedgerNoLine() throws Exception {
        try (ConsoleHarness large = ConsoleHarness.run(LARGE, at(67), Scenes.fold())) {
            large.events(Scenes.opening()).events(Scenes.backfilling()).tick();
            assertThat(String.join("\n", database(large))).doesNotContain("ledger");
        }
    }

    @Test
    void aLedgerFindingBeforeTheFirstStepIsAskedInTheFailureDialog() throws Exception {
        try (ConsoleHarness console = ConsoleHarness.run(SMALL, at(3), Scenes.fold())) {
            console.events(Scenes.opening())
                    .events(new dev.lockstep.engine.EngineEvent.FailureFound(at(3), Scenes.ledgerLocked()));
            java.util.concurrent.CompletableFuture<java.util.Optional<dev.lockstep.engine.Operator.Answer>> answer =
                    console.ask(Scenes.failure("q1", Scenes.ledgerLocked()));
            console.tick();

            String screen = console.text();
            assertThat(screen)
                    .contains("ledger-locked")
                    .contains("holder alive: gone")
                    .contains("repair: releases the Liquibase lock in public");
            // the finding is no step of the plan: the steps list does not grow a failed one
            assertThat(console.lines().get(0)).endsWith("[ LEDGER ]");
            assertThat(console.lines().get(2)).startsWith("FOUND before the first step: ledger-locked. a migration");
            assertThat(screen)
                    .contains("BEFORE THE FIRST STEP ledger:liquibase")
                    .contains("── STEPS 3/5 ");
            assertThat(console.lines()).hasSize(24).allSatisfy(line -> assertThat(line.length())
                    .isLessThanOrEqualTo(80));

            console.key("r").type("ci-runner-7 was recycled at 01:05").key(com.googlecode.lanterna.input.KeyType.Enter);
            assertThat(ConsoleHarness.answered(answer))
                    .contains(new dev.lockstep.engine.Operator.Answer(
                            "repair", ConsoleHarness.ACTOR, "ci-runner-7 was recycled at 01:05"));
        }
    }
}
