package dev.lockstep.runbook.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A runbook's {@code ${name}} parameter references. They are text, not SQL: they are found and replaced
 * everywhere in a value, inside SQL string literals too ({@code '${tag}'}), before any SQL is read.
 */
public final class ParameterReferences {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)}");

    private ParameterReferences() {}

    /** The names in the text's {@code ${name}} references, in order (a malformed one as written). */
    public static List<String> names(String text) {
        List<String> names = new ArrayList<>();
        Matcher matcher = REFERENCE.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /** The text with each {@code ${name}} replaced by the value's text. */
    public static String substitute(String text, Function<String, String> valueOf) {
        Matcher matcher = REFERENCE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(result, Matcher.quoteReplacement(valueOf.apply(matcher.group(1))));
        }
        matcher.appendTail(result);
        return result.toString();
    }
}
