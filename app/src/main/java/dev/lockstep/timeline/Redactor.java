package dev.lockstep.timeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Replaces secrets in event bodies by {@code {"redacted": true}} before anything is written. A value is
 * secret when its member name is a parameter marked secret or a password-like name, when it contains the
 * value of a secret parameter, or when it matches a value pattern (passwords in connection strings and
 * in SQL by default). The whole value goes: keeping a hash would let anyone test guesses of a
 * low-entropy password offline.
 */
public final class Redactor {
    /** Values that carry a password inside a longer text. */
    public static final List<Pattern> DEFAULT_VALUE_PATTERNS = List.of(
            // libpq key=value strings and JDBC/URI query parameters: password=..., sslpassword=...
            Pattern.compile("(?i)password\\s*=\\s*[^\\s&;]+"),
            // postgresql://user:secret@host, postgres://, jdbc:postgresql://
            Pattern.compile("(?i)postgres(?:ql)?://[^/@\\s:]*:[^@\\s/]+@"),
            // ALTER ROLE ... PASSWORD 'secret' / CREATE USER ... WITH ENCRYPTED PASSWORD 'secret'
            Pattern.compile("(?i)\\bpassword\\s+'"),
            // PGPASSWORD=secret in an environment dump
            Pattern.compile("(?i)\\bpgpassword\\b\\s*[=:]"));

    private static final Set<String> SECRET_MEMBER_NAMES =
            Set.of("password", "passwd", "pgpassword", "secret", "sslpassword", "api_key", "token");

    private static final ObjectNode REDACTED =
            JsonNodeFactory.instance.objectNode().put("redacted", true);

    private final Set<String> secretNames;
    private final List<String> secretValues;
    private final List<Pattern> valuePatterns;

    private Redactor(Set<String> secretNames, List<String> secretValues, List<Pattern> valuePatterns) {
        this.secretNames = Set.copyOf(secretNames);
        this.secretValues = List.copyOf(secretValues);
        this.valuePatterns = List.copyOf(valuePatterns);
    }

    /** The default patterns and password-like member names only. */
    public static Redactor defaults() {
        return new Redactor(Set.of(), List.of(), DEFAULT_VALUE_PATTERNS);
    }

    /**
     * For a run: the names of the parameters marked secret, the run's parameter values (so that a secret
     * substituted into SQL or echoed in an error message is caught too), and extra value patterns from
     * configuration on top of the defaults.
     */
    public static Redactor forRun(
            Set<String> secretParameterNames, Map<String, String> parameterValues, List<Pattern> extraPatterns) {
        List<String> values = new ArrayList<>();
        for (String name : secretParameterNames) {
            String value = parameterValues.get(name);
            if (value != null && !value.isEmpty()) {
                values.add(value);
            }
        }
        List<Pattern> patterns = new ArrayList<>(DEFAULT_VALUE_PATTERNS);
        patterns.addAll(extraPatterns);
        return new Redactor(secretParameterNames, values, patterns);
    }

    /** A redacted deep copy of the tree. */
    public JsonNode redact(JsonNode node) {
        if (node == null || node.isNull()) {
            return node;
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                JsonNode value = member.getValue();
                boolean secretName = isSecretName(member.getKey());
                copy.set(member.getKey(), secretName && !value.isNull() ? REDACTED.deepCopy() : redact(value));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
            for (JsonNode element : node) {
                copy.add(redact(element));
            }
            return copy;
        }
        if (node.isTextual() && isSecretText(node.textValue())) {
            return REDACTED.deepCopy();
        }
        return node;
    }

    boolean isSecretName(String name) {
        return secretNames.contains(name) || SECRET_MEMBER_NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    boolean isSecretText(String text) {
        for (String secret : secretValues) {
            if (text.contains(secret)) {
                return true;
            }
        }
        for (Pattern pattern : valuePatterns) {
            if (pattern.matcher(text).find()) {
                return true;
            }
        }
        return false;
    }
}
