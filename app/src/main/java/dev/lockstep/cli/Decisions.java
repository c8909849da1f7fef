package dev.lockstep.cli;

import dev.lockstep.LockstepException;
import dev.lockstep.recovery.Choice;
import dev.lockstep.recovery.Decision;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code --decide STEP=OPTION:REASON}, read into a decision per step. */
final class Decisions {

    private Decisions() {}

    /** @throws LockstepException a usage error (exit 2) naming the malformed value */
    static Map<String, Decision> parse(Map<String, String> given) {
        Map<String, Decision> decisions = new LinkedHashMap<>();
        String options = Arrays.stream(Choice.values())
                .filter(choice -> choice != Choice.RECHECK)
                .map(Choice::id)
                .collect(Collectors.joining(", "));
        given.forEach((step, value) -> {
            int colon = value.indexOf(':');
            String option = colon < 0 ? value : value.substring(0, colon);
            String reason = colon < 0 ? "" : value.substring(colon + 1).strip();
            Choice choice = Choice.ofId(option.strip())
                    .filter(known -> known != Choice.RECHECK)
                    .orElseThrow(() -> LockstepException.usage("--decide " + step + "=" + option + ": no option '"
                            + option + "'; options are " + options));
            if (reason.isEmpty()) {
                throw LockstepException.usage("--decide " + step + "=" + option + " needs a reason: --decide " + step
                        + "=" + option + ":REASON");
            }
            decisions.put(step, new Decision(choice, reason));
        });
        return decisions;
    }
}
