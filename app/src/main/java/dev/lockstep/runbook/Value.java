package dev.lockstep.runbook;

/**
 * A typed field that is either written out in the runbook or names a parameter ({@code size: ${batch_size}}).
 * A runbook straight from {@link RunbookLoader#load} may hold {@link Ref}s; after
 * {@link RunbookLoader#bind} every value is a {@link Literal} and {@link #get()} never fails.
 *
 * @param <T> the field's type: {@code Integer}, {@code Long}, {@code Double}, {@code Boolean},
 *     {@link java.time.Duration} or {@link ByteSize}
 */
public sealed interface Value<T> permits Value.Literal, Value.Ref {

    /** The value; for a {@link Ref} (an unbound runbook) an {@link IllegalStateException}. */
    T get();

    static <T> Value<T> of(T value) {
        return new Literal<>(value);
    }

    /** A value written in the runbook, or a parameter's bound value. */
    record Literal<T>(T value) implements Value<T> {
        public Literal {
            if (value == null) {
                throw new IllegalArgumentException("a literal has a value");
            }
        }

        @Override
        public T get() {
            return value;
        }

        @Override
        public String toString() {
            return value instanceof java.time.Duration duration ? Durations.format(duration) : String.valueOf(value);
        }
    }

    /** A reference to a parameter that has not been bound yet. */
    record Ref<T>(String parameter) implements Value<T> {
        @Override
        public T get() {
            throw new IllegalStateException("parameter '" + parameter + "' is not bound: bind the runbook first");
        }

        @Override
        public String toString() {
            return "${" + parameter + "}";
        }
    }
}
