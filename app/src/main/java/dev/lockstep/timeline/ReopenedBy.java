package dev.lockstep.timeline;

import java.util.Objects;

/**
 * Who reopens a timeline to continue its run: the operator ({@code user@host}) and the process id. The
 * {@code recover} record names them, so a resumed run says who resumed it and from which process.
 */
public record ReopenedBy(String operator, long pid) {
    public ReopenedBy {
        Objects.requireNonNull(operator, "operator");
    }
}
