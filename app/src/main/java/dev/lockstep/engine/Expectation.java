package dev.lockstep.engine;

import java.math.BigDecimal;

/**
 * What a check expects of the first column of the first row: equal to a value (numerically when both
 * sides are numbers), or within numeric bounds, or — with neither — true.
 */
public record Expectation(String equals, BigDecimal atLeast, BigDecimal atMost) implements StepPlan.Expect {

    public static Expectation isTrue() {
        return new Expectation(null, null, null);
    }

    public static Expectation equalTo(Object value) {
        return new Expectation(String.valueOf(value), null, null);
    }

    @Override
    public boolean holds(Object result) {
        String actual = result == null ? null : result.toString();
        if (equals != null) {
            if (actual == null) {
                return false;
            }
            BigDecimal expectedNumber = number(equals);
            BigDecimal actualNumber = number(actual);
            if (expectedNumber != null && actualNumber != null) {
                return expectedNumber.compareTo(actualNumber) == 0;
            }
            return equals.equals(actual) || (isBoolean(equals) && booleanOf(equals) == booleanOf(actual));
        }
        if (atLeast != null || atMost != null) {
            BigDecimal value = actual == null ? null : number(actual);
            return value != null
                    && (atLeast == null || value.compareTo(atLeast) >= 0)
                    && (atMost == null || value.compareTo(atMost) <= 0);
        }
        return actual != null && booleanOf(actual);
    }

    public String describe() {
        if (equals != null) {
            return "= " + equals;
        }
        if (atLeast != null && atMost != null) {
            return "between " + atLeast.toPlainString() + " and " + atMost.toPlainString();
        }
        if (atLeast != null) {
            return ">= " + atLeast.toPlainString();
        }
        if (atMost != null) {
            return "<= " + atMost.toPlainString();
        }
        return "true";
    }

    private static BigDecimal number(String text) {
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean isBoolean(String text) {
        return text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false");
    }

    private static boolean booleanOf(String text) {
        String value = text.trim().toLowerCase(java.util.Locale.ROOT);
        return value.equals("t") || value.equals("true") || value.equals("1") || value.equals("yes");
    }
}
