package dev.lockstep.timeline;

import java.util.List;

/**
 * What reopening a timeline after a crash found: the bytes of a torn last line that were cut off (and
 * kept in the recover record), the last intact seq before the recover record, and the steps in doubt.
 */
public record Recovery(int tornTailBytes, long lastSeq, List<StepInDoubt> stepsInDoubt) {
    public Recovery {
        stepsInDoubt = List.copyOf(stepsInDoubt);
    }
}
