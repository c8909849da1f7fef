package dev.lockstep.pg;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A password that never prints: {@link #toString()} is {@code ********}. Only the code that hands it
 * to the driver calls {@link #reveal()}.
 */
public final class Secret {
    private static final String MASK = "********";

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        // constant-time, so comparing secrets does not leak their prefix through timing
        return other instanceof Secret secret
                && MessageDigest.isEqual(
                        value.getBytes(StandardCharsets.UTF_8), secret.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        // equal secrets must hash alike; a constant keeps the hash from saying anything about the value
        return 1;
    }

    @Override
    public String toString() {
        return MASK;
    }
}
