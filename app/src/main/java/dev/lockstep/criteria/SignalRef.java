package dev.lockstep.criteria;

import java.util.Objects;

/** What a criterion watches: a built-in signal or a custom SQL query. */
public sealed interface SignalRef permits SignalRef.BuiltIn, SignalRef.Sql {

    static BuiltIn builtIn(String name) {
        return new BuiltIn(name);
    }

    static Sql sql(String name, String sql) {
        return new Sql(name, sql);
    }

    /** The key under which sources publish this signal's readings. */
    String key();

    record BuiltIn(String name) implements SignalRef {
        public BuiltIn {
            Objects.requireNonNull(name, "name");
            if (!Signals.BUILT_IN.contains(name)) {
                throw new IllegalArgumentException(
                        "unknown signal '" + name + "'; built-in signals are " + String.join(", ", sorted()));
            }
        }

        private static java.util.List<String> sorted() {
            return Signals.BUILT_IN.stream().sorted().toList();
        }

        @Override
        public String key() {
            return name;
        }
    }

    /**
     * A custom signal: a query returning exactly one numeric value. The key carries a prefix so a custom signal
     * can never shadow a built-in one.
     */
    record Sql(String name, String sql) implements SignalRef {
        public Sql {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sql, "sql");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a custom SQL signal needs a name");
            }
            if (sql.isBlank()) {
                throw new IllegalArgumentException("custom SQL signal '" + name + "' has no query");
            }
        }

        @Override
        public String key() {
            return "sql:" + name;
        }
    }
}
