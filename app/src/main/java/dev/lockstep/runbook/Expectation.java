package dev.lockstep.runbook;

import java.math.BigDecimal;
import java.util.List;

/**
 * What a query's single value must be: {@code { equals: 0 }}, {@code { at_least: 1, at_most: 5 }}. All
 * comparisons must hold. Operands are {@code Long}, {@code Double}, {@code String} or {@code Boolean}.
 */
public record Expectation(List<Comparison> comparisons) {

    public Expectation {
        comparisons = List.copyOf(comparisons);
    }

    public enum Operator {
        EQUALS("equals"),
        NOT_EQUALS("not_equals"),
        AT_LEAST("at_least"),
        AT_MOST("at_most");

        private final String yamlName;

        Operator(String yamlName) {
            this.yamlName = yamlName;
        }

        public String yamlName() {
            return yamlName;
        }

        /** at_least and at_most compare numbers; equals and not_equals also text and booleans. */
        public boolean numericOnly() {
            return this == AT_LEAST || this == AT_MOST;
        }
    }

    public record Comparison(Operator operator, Value<Object> operand) {}

    /**
     * Whether the value a query returned satisfies every comparison (bound runbooks only). Numbers compare
     * by value whatever their Java type; a SQL NULL satisfies only {@code not_equals}.
     */
    public boolean matches(Object actual) {
        return comparisons.stream().allMatch(comparison -> holds(comparison, actual));
    }

    private static boolean holds(Comparison comparison, Object actual) {
        Object expected = comparison.operand().get();
        if (actual == null) {
            return comparison.operator() == Operator.NOT_EQUALS;
        }
        int order;
        if (expected instanceof Number number && actual instanceof Number value) {
            order = decimal(value).compareTo(decimal(number));
        } else if (expected instanceof Number number && !comparison.operator().numericOnly()) {
            order = actual.toString().equals(number.toString()) ? 0 : 1;
        } else if (expected instanceof Boolean bool && actual instanceof Boolean value) {
            order = value.equals(bool) ? 0 : 1;
        } else if (comparison.operator().numericOnly()) {
            return false;
        } else {
            order = actual.toString().equals(expected.toString()) ? 0 : 1;
        }
        return switch (comparison.operator()) {
            case EQUALS -> order == 0;
            case NOT_EQUALS -> order != 0;
            case AT_LEAST -> order >= 0;
            case AT_MOST -> order <= 0;
        };
    }

    private static BigDecimal decimal(Number number) {
        return number instanceof BigDecimal decimal ? decimal : new BigDecimal(number.toString());
    }

    /** The expectation as the runbook writes it: {@code { equals: 0 }}. */
    public String describe() {
        StringBuilder text = new StringBuilder("{ ");
        for (Comparison comparison : comparisons) {
            if (text.length() > 2) {
                text.append(", ");
            }
            text.append(comparison.operator().yamlName()).append(": ").append(comparison.operand());
        }
        return text.append(" }").toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
