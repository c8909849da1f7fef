package dev.lockstep.runbook;

import java.util.Optional;

/**
 * A declared parameter. A parameter without a default is required; {@code --param name=value} binds it.
 *
 * @param defaultValue the default as written (checked against the type when loading)
 * @param secret its value is never printed or logged; {@link Bindings#redact} hides it in text
 */
public record Parameter(
        String name,
        ParameterType type,
        Optional<String> defaultValue,
        boolean required,
        boolean secret,
        Optional<String> description) {}
