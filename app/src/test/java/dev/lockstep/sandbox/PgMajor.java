package dev.lockstep.sandbox;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks {@link SandboxExtension} for a sandbox of another PostgreSQL major on a {@link Sandbox}
 * parameter: {@code void probeWorksOn13(@PgMajor(13) Sandbox pg13)}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface PgMajor {
    int value();
}
