package dev.lockstep.runbook;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The parameter values a runbook was bound with (given {@code --param}s and defaults), typed:
 * {@code Long}, {@code Double}, {@code String}, {@code Boolean}, {@link java.time.Duration}, {@link ByteSize}.
 * {@link #toString()} never shows a secret.
 */
public record Bindings(Map<String, Object> values, Set<String> secrets) {
    public static final Bindings NONE = new Bindings(Map.of(), Set.of());

    public Bindings {
        values = Map.copyOf(values);
        secrets = Set.copyOf(secrets);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /**
     * The text with every secret value replaced by {@code ****}: use it on SQL (after binding it may
     * contain a secret) before it reaches a screen, a log or the timeline.
     */
    public String redact(String text) {
        String redacted = text;
        for (String secret : secrets) {
            Object value = values.get(secret);
            if (value != null && !value.toString().isEmpty()) {
                redacted = redacted.replace(value.toString(), "****");
            }
        }
        return redacted;
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new TreeMap<>(values);
        secrets.forEach(secret -> shown.computeIfPresent(secret, (name, value) -> "****"));
        return "Bindings" + shown;
    }
}
