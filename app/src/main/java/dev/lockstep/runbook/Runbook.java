package dev.lockstep.runbook;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A loaded, valid runbook. Straight from {@link RunbookLoader#load} it may hold parameter references;
 * {@link #bind} (or {@link RunbookLoader#bind}) gives the bound copy the engine runs.
 *
 * @param formatVersion {@code lockstep:}, the format version (1)
 * @param window empty when the runbook declares no window
 * @param recovery steps outside the main flow, reached only through {@code on_failure}
 * @param sourcePath the file as given to the loader
 * @param sha256 lower-case hex SHA-256 of the file's exact bytes (the lease and the timeline name it)
 * @param source the file's text
 * @param bindings the parameter values after {@link #bind}; {@link Bindings#NONE} before
 */
public record Runbook(
        int formatVersion,
        String id,
        String title,
        String owner,
        String intent,
        Change change,
        Optional<Window> window,
        List<Parameter> parameters,
        List<StopCriterion> stopCriteria,
        List<Step> steps,
        List<Step> recovery,
        Path sourcePath,
        String sha256,
        String source,
        Bindings bindings) {

    public Runbook {
        parameters = List.copyOf(parameters);
        stopCriteria = List.copyOf(stopCriteria);
        steps = List.copyOf(steps);
        recovery = List.copyOf(recovery);
    }

    /** The step with this id, in the main flow or under recovery. */
    public Optional<Step> step(String stepId) {
        return Stream.concat(steps.stream(), recovery.stream())
                .filter(step -> step.id().equals(stepId))
                .findFirst();
    }

    /**
     * A fingerprint per step, main flow then recovery: SHA-256 over everything the step says once bound (its
     * SQL, limits, checks, recovery links), first 16 hex digits. A resumed run compares them with the ones
     * its run began with to say which steps a changed runbook changed, added or removed.
     */
    public Map<String, String> stepFingerprints() {
        Map<String, String> fingerprints = new java.util.LinkedHashMap<>();
        Stream.concat(steps.stream(), recovery.stream())
                .forEach(step -> fingerprints.put(
                        step.id(),
                        RunbookLoader.sha256(step.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                                .substring(0, 16)));
        return fingerprints;
    }

    /** Whether {@link #bind} has run: every {@link Value} is a literal and SQL holds no {@code ${...}}. */
    public boolean isBound() {
        return parameters.isEmpty() || !bindings.isEmpty();
    }

    /**
     * This runbook with {@code ${name}} references resolved from {@code values} (the {@code --param K=V}
     * pairs, as text) and the declared defaults.
     *
     * @throws InvalidRunbookException naming every missing, unknown or mistyped parameter
     */
    public Runbook bind(Map<String, String> values) {
        return RunbookLoader.bind(this, values);
    }

    /** Short: the whole source and the bound values do not belong in a log line. */
    @Override
    public String toString() {
        return "Runbook[" + id + " " + sourcePath + " sha256=" + sha256 + "]";
    }
}
