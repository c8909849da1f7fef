package dev.lockstep.engine;

import dev.lockstep.LockstepException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Quoting of the table and column names a runbook gives, so they can be put into generated SQL safely. */
final class Identifiers {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

    private Identifiers() {}

    /** {@code schema.table}, {@code table} or already quoted parts, each part quoted. */
    static String qualified(String name) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < name.length() && name.charAt(i + 1) == '"') {
                    part.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == '.' && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(quoted ? c : Character.toLowerCase(c));
            }
        }
        parts.add(part.toString());
        if (quoted || parts.stream().anyMatch(String::isEmpty) || parts.size() > 2) {
            throw LockstepException.usage("not a table or column name: " + name);
        }
        return String.join(".", parts.stream().map(Identifiers::quote).toList());
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** A name Lockstep itself chooses (its schema): plain identifiers only, so it never needs quoting. */
    static String plain(String identifier, String what) {
        if (!PLAIN.matcher(identifier).matches() || identifier.length() > 63) {
            throw LockstepException.usage(what + " must be a plain SQL identifier: " + identifier);
        }
        return identifier;
    }
}
