package dev.lockstep.runbook;

import java.util.Locale;

/** The type of a runbook parameter, which decides where a {@code ${name}} reference may stand. */
public enum ParameterType {
    INT,
    NUMBER,
    STRING,
    BOOL,
    DURATION,
    BYTES;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
