package dev.lockstep.runbook.internal;

import dev.lockstep.runbook.BuiltinSignal;
import dev.lockstep.runbook.ByteSize;
import dev.lockstep.runbook.Durations;
import dev.lockstep.runbook.ParameterType;
import java.time.Duration;
import java.util.Set;

/**
 * What a typed field accepts: how its literal text is read, which parameter types may stand in for it
 * ({@code size: ${batch_size}} needs an int parameter), and how a parameter's value converts.
 */
abstract class FieldKind<T> {
    private static final String INTEGER = "-?\\d{1,18}";
    private static final String DECIMAL = "-?\\d{1,18}(\\.\\d{1,18})?";

    final String expected;
    final Set<ParameterType> parameterTypes;

    FieldKind(String expected, Set<ParameterType> parameterTypes) {
        this.expected = expected;
        this.parameterTypes = parameterTypes;
    }

    /** The literal's value, or an {@link IllegalArgumentException} whose message says what was expected. */
    abstract T parse(YamlNode.Scalar scalar);

    /** A bound parameter's typed value (already checked against {@link #parameterTypes}) as this field's type. */
    abstract T convert(Object parameterValue);

    IllegalArgumentException wrong(YamlNode.Scalar scalar) {
        return new IllegalArgumentException("expected " + expected + ", got " + scalar.describe());
    }

    static FieldKind<Integer> integer(int min, int max) {
        return new FieldKind<>("a whole number", Set.of(ParameterType.INT)) {
            @Override
            Integer parse(YamlNode.Scalar scalar) {
                if (!scalar.text().matches(INTEGER)) {
                    throw wrong(scalar);
                }
                return inRange(Long.parseLong(scalar.text()));
            }

            @Override
            Integer convert(Object parameterValue) {
                return inRange((Long) parameterValue);
            }

            private Integer inRange(long value) {
                if (value < min || value > max) {
                    throw new IllegalArgumentException(
                            "expected a whole number from " + min + " to " + max + ", got " + value);
                }
                return (int) value;
            }
        };
    }

    static FieldKind<Long> count() {
        return new FieldKind<>("a whole number", Set.of(ParameterType.INT)) {
            @Override
            Long parse(YamlNode.Scalar scalar) {
                if (!scalar.text().matches(INTEGER)) {
                    throw wrong(scalar);
                }
                return notNegative(Long.parseLong(scalar.text()));
            }

            @Override
            Long convert(Object parameterValue) {
                return notNegative((Long) parameterValue);
            }

            private Long notNegative(long value) {
                if (value < 0) {
                    throw new IllegalArgumentException("expected a whole number of at least 0, got " + value);
                }
                return value;
            }
        };
    }

    static FieldKind<Duration> duration() {
        return new FieldKind<>("a duration like 3s", Set.of(ParameterType.DURATION)) {
            @Override
            Duration parse(YamlNode.Scalar scalar) {
                if (scalar.kind() == YamlNode.Scalar.Kind.NULL) {
                    throw wrong(scalar);
                }
                return Durations.parse(scalar.text());
            }

            @Override
            Duration convert(Object parameterValue) {
                return (Duration) parameterValue;
            }
        };
    }

    /** A threshold in the signal's unit: a number, or a duration for seconds and a byte size for bytes. */
    static FieldKind<Double> threshold(BuiltinSignal.Unit unit) {
        String expected =
                switch (unit) {
                    case SECONDS -> "a number of seconds or a duration like 5s";
                    case BYTES -> "a number of bytes or a size like 64MB";
                    default -> "a number";
                };
        Set<ParameterType> types =
                switch (unit) {
                    case SECONDS -> Set.of(ParameterType.INT, ParameterType.NUMBER, ParameterType.DURATION);
                    case BYTES -> Set.of(ParameterType.INT, ParameterType.NUMBER, ParameterType.BYTES);
                    default -> Set.of(ParameterType.INT, ParameterType.NUMBER);
                };
        return new FieldKind<>(expected, types) {
            @Override
            Double parse(YamlNode.Scalar scalar) {
                String text = scalar.text();
                if (text.matches(DECIMAL)) {
                    return Double.parseDouble(text);
                }
                if (unit == BuiltinSignal.Unit.SECONDS && text.matches("\\d.*")) {
                    return Durations.parse(text).toMillis() / 1000.0;
                }
                if (unit == BuiltinSignal.Unit.BYTES && text.matches("\\d.*")) {
                    return (double) ByteSize.parse(text).bytes();
                }
                throw wrong(scalar);
            }

            @Override
            Double convert(Object parameterValue) {
                if (parameterValue instanceof Duration duration) {
                    return duration.toMillis() / 1000.0;
                }
                if (parameterValue instanceof ByteSize size) {
                    return (double) size.bytes();
                }
                return ((Number) parameterValue).doubleValue();
            }
        };
    }

    /** An expected query result: a number, text or boolean (numbers only for at_least / at_most). */
    static FieldKind<Object> operand(boolean numericOnly) {
        Set<ParameterType> types = numericOnly
                ? Set.of(ParameterType.INT, ParameterType.NUMBER)
                : Set.of(ParameterType.INT, ParameterType.NUMBER, ParameterType.STRING, ParameterType.BOOL);
        return new FieldKind<>(numericOnly ? "a number" : "a number, text or true/false", types) {
            @Override
            Object parse(YamlNode.Scalar scalar) {
                String text = scalar.text();
                switch (scalar.kind()) {
                    case INTEGER:
                        if (text.matches(INTEGER)) {
                            return Long.parseLong(text);
                        }
                        throw wrong(scalar);
                    case FLOAT:
                        if (text.matches(DECIMAL)) {
                            return Double.parseDouble(text);
                        }
                        throw wrong(scalar);
                    case BOOLEAN:
                        if (!numericOnly && (text.equals("true") || text.equals("false"))) {
                            return Boolean.valueOf(text);
                        }
                        throw numericOnly
                                ? wrong(scalar)
                                : new IllegalArgumentException("expected true or false, got '" + text + "'");
                    case STRING:
                        if (!numericOnly) {
                            return text;
                        }
                        throw wrong(scalar);
                    default:
                        throw wrong(scalar);
                }
            }

            @Override
            Object convert(Object parameterValue) {
                return parameterValue;
            }
        };
    }

    /** Reads a parameter's value given as text ({@code --param} or {@code default}) into its type. */
    static Object parameterValue(ParameterType type, String text) {
        return switch (type) {
            case INT -> {
                if (!text.matches(INTEGER)) {
                    throw new IllegalArgumentException("expected a whole number");
                }
                yield Long.parseLong(text);
            }
            case NUMBER -> {
                if (!text.matches(DECIMAL)) {
                    throw new IllegalArgumentException("expected a number like 2 or 0.5");
                }
                yield Double.parseDouble(text);
            }
            case BOOL -> {
                if (!text.equals("true") && !text.equals("false")) {
                    throw new IllegalArgumentException("expected true or false");
                }
                yield Boolean.valueOf(text);
            }
            case DURATION -> Durations.parse(text);
            case BYTES -> ByteSize.parse(text);
            case STRING -> text;
        };
    }
}
