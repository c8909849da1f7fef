package dev.lockstep.tui;

import dev.lockstep.engine.RunView;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an operator reads on the normal screen once a run is over, whichever front end ran it: the outcome
 * when the screen did not already say it, where the timeline is, and the command that checks it.
 */
public final class ClosingLines {

    private ClosingLines() {}

    /**
     * @param view the run's last view
     * @param timeline the timeline file; null when the run never opened one
     * @param publicKey the operator's public key file; null for an unsigned run
     * @param withOutcome whether to say how the run ended (line mode already printed its end line)
     */
    public static List<String> of(RunView view, Path timeline, Path publicKey, boolean withOutcome) {
        List<String> lines = new ArrayList<>();
        if (withOutcome && view.outcome() != null) {
            RunView.Outcome outcome = view.outcome();
            String message = outcome.message() == null ? "" : outcome.message();
            if (message.equals("run " + view.runId() + " done")) {
                message = "";
            }
            lines.add("run " + view.runId() + " " + outcome.state().label().toUpperCase(java.util.Locale.ROOT)
                    + ", exit " + outcome.exitCode() + (message.isBlank() ? "" : ": " + message));
        }
        if (timeline != null) {
            lines.add("timeline " + timeline);
            lines.add(
                    publicKey == null
                            // lockstep verify needs a key, and calls any unsigned file UNSIGNED: no command to offer
                            ? "verify   none: the run was --unsigned, so its timeline proves nothing about who"
                                    + " wrote it"
                            : "verify   lockstep verify " + timeline + " --pubkey " + publicKey + ".pub");
        }
        return lines;
    }
}
