package dev.lockstep.tui.console;

import static dev.lockstep.tui.console.ConsoleHarness.LARGE;
import static dev.lockstep.tui.console.ConsoleHarness.SMALL;
import static dev.lockstep.tui.console.Scenes.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalSize;
import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.EngineEvent.StateChanged.Cause;
import dev.lockstep.engine.RunState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An R5 gate approved by the operator waits for a second approver: the banner says so and how to stop, the footer
 * gives the command the second person runs (whole at 132 columns; with CONN in place of the database at 80), and
 * both go once the second approval lands.
 */
@Timeout(30)
class SecondApproverConsoleTest {

    private static final String COMMAND =
            "lockstep approve --db postgresql://pg1:5432/cases " + Scenes.RUNBOOK + " confirm-drop --reason ...";

    private static EngineEvent[] waiting() {
        return new EngineEvent[] {
            new EngineEvent.RunOpened(
                    at(0),
                    Scenes.RUN_ID,
                    Scenes.RUNBOOK,
                    "5f1c0ffee",
                    "cases",
                    "oncall@bastion pid 28190",
                    false,
                    null),
            new EngineEvent.StateChanged(at(0), RunState.PENDING, RunState.RUNNING, "started", Cause.START, null),
            new EngineEvent.StepStarted(at(2), "confirm-drop", "approval", 1, true),
            new EngineEvent.ApprovalGiven(at(30), "confirm-drop", ConsoleHarness.ACTOR, "window agreed", "prompt"),
            new EngineEvent.ApprovalAwaited(at(30), "confirm-drop", ConsoleHarness.ACTOR, COMMAND),
        };
    }

    @Test
    void theBannerAndFooterSayWhoMustApproveAndHow() throws Exception {
        for (TerminalSize size : List.of(SMALL, LARGE)) {
            try (ConsoleHarness console = ConsoleHarness.run(size, at(31), Scenes.fold())) {
                // when
                console.events(waiting()).tick();

                // then
                String footer = console.row(size.getRows() - 1);
                // at 80 columns the short form still says where, who may not approve, and where the command is
                assertThat(console.row(2))
                        .as(console.text())
                        .startsWith(
                                size == LARGE
                                        ? "WAITING for a second approver at confirm-drop"
                                        : "WAITING at confirm-drop for a 2nd approver (not ")
                        .endsWith("s stops (resumable)");
                assertThat(footer)
                        .as(console.text())
                        .contains("lockstep approve --db ")
                        .endsWith(Scenes.RUNBOOK + " confirm-drop --reason ...");
                if (size == LARGE) {
                    assertThat(footer).isEqualTo("2nd approver runs: " + COMMAND);
                } else {
                    assertThat(footer).startsWith("lockstep approve --db CONN " + Scenes.RUNBOOK);
                }

                // when: bob's approval lands
                console.events(
                                new EngineEvent.ApprovalGiven(
                                        at(40), "confirm-drop", "bob@laptop", "checked backup 42", "lockstep approve"),
                                new EngineEvent.StepEnded(at(40), "confirm-drop", 1, "ok", null, 38_000, null, null))
                        .tick();

                // then
                assertThat(console.row(2)).as(console.text()).doesNotContain("WAITING");
                assertThat(console.row(size.getRows() - 1)).doesNotContain("2nd approver");
            }
        }
    }
}
