package dev.lockstep.timeline;

import java.util.List;

/**
 * What reopening a timeline found. After a crash ({@code afterClose} false): the bytes of a torn last line
 * that were cut off (and kept in the recover record) and the steps in doubt. After a clean stop
 * ({@code afterClose} true: the timeline ended with close and the final checkpoint) there is neither: the
 * process that closed it knew what it had done. {@code lastSeq} is the last intact seq before the recover
 * record.
 */
public record Recovery(boolean afterClose, int tornTailBytes, long lastSeq, List<StepInDoubt> stepsInDoubt) {
    public Recovery {
        stepsInDoubt = List.copyOf(stepsInDoubt);
    }
}
