package dev.lockstep.recovery;

import java.util.Objects;

/** A choice about a failed step with its reason: given in advance ({@code --decide}) or at a prompt. */
public record Decision(Choice choice, String reason) {
    public Decision {
        Objects.requireNonNull(choice, "choice");
        Objects.requireNonNull(reason, "reason");
    }
}
