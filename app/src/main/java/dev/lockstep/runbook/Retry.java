package dev.lockstep.runbook;

import java.time.Duration;
import java.util.List;

/**
 * {@code retry: { attempts: 10, backoff: 1s..30s, codes: [55P03, 40P01] }}: a failed statement whose
 * SQLSTATE is in {@code codes} is tried again, up to {@code attempts} tries in all, waiting a jittered,
 * growing delay between {@code backoffMin} and {@code backoffMax}. The default (3 attempts, 1s..30s, lock
 * timeout and deadlock) only retries failures that leave nothing applied.
 */
public record Retry(Value<Integer> attempts, Duration backoffMin, Duration backoffMax, List<String> codes) {
    public static final List<String> DEFAULT_CODES = List.of("55P03", "40P01");
    public static final Retry DEFAULT =
            new Retry(Value.of(3), Duration.ofSeconds(1), Duration.ofSeconds(30), DEFAULT_CODES);

    public Retry {
        codes = List.copyOf(codes);
    }
}
