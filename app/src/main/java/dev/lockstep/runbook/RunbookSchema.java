package dev.lockstep.runbook;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON Schema (draft 2020-12) of the runbook format, for editors (yaml-language-server). It guides
 * typing; the loader stays the authority (cross-step rules such as approvals before a DROP are beyond a
 * schema).
 */
public final class RunbookSchema {
    private static final String RESOURCE = "/dev/lockstep/runbook/runbook.schema.json";

    private RunbookSchema() {}

    public static String json() {
        try (InputStream in = RunbookSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException unreadable) {
            throw new UncheckedIOException(unreadable);
        }
    }
}
