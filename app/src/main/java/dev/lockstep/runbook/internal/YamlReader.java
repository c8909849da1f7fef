package dev.lockstep.runbook.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.lockstep.runbook.Position;
import dev.lockstep.runbook.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML text into a {@link YamlNode} tree with positions, refusing hostile input before it costs
 * time or memory: the limits below are far above any real runbook and far below anything harmful.
 */
public final class YamlReader {
    /** Characters in a runbook; a larger file is refused before parsing. */
    public static final int MAX_CODE_POINTS = 1 << 20;

    public static final int MAX_DEPTH = 32;
    public static final int MAX_SCALAR_LENGTH = 64 * 1024;
    public static final int MAX_ALIASES = 100;
    /** Nodes after alias expansion: the defence against "billion laughs". */
    public static final int MAX_NODES = 100_000;

    private static final YAMLFactory FACTORY = factory();

    private final String file;
    private final YAMLParser parser;
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, YamlNode> anchors = new HashMap<>();
    private final Map<YamlNode, Integer> weights = new IdentityHashMap<>();
    private int aliases;
    private long nodes;

    private YamlReader(String file, YAMLParser parser) {
        this.file = file;
        this.parser = parser;
    }

    /** The tree (empty when the text could not be read as one YAML document) and every problem met. */
    public record Result(Optional<YamlNode> root, List<Problem> problems) {}

    public static Result read(String file, String text) {
        if (text.codePointCount(0, text.length()) > MAX_CODE_POINTS) {
            return failed(
                    file,
                    Position.START,
                    "file is too large: a runbook has at most " + MAX_CODE_POINTS + " characters");
        }
        try (YAMLParser parser = (YAMLParser) FACTORY.createParser(text)) {
            YamlReader reader = new YamlReader(file, parser);
            JsonToken first = parser.nextToken();
            if (first == null) {
                return failed(file, Position.START, "file is empty: a runbook starts with 'lockstep: 1'");
            }
            YamlNode root = reader.node(first, 1);
            JsonToken next = parser.nextToken();
            if (next != null) {
                reader.problems.add(new Problem(
                        file,
                        reader.here(),
                        "a runbook file holds one YAML document; remove this second document (after '---')"));
            }
            return new Result(Optional.of(root), List.copyOf(reader.problems));
        } catch (Refused refused) {
            return failed(file, refused.position, refused.getMessage());
        } catch (StreamConstraintsException tooDeep) {
            return failed(
                    file, position(tooDeep.getLocation()), "refused: nesting deeper than " + MAX_DEPTH + " levels");
        } catch (JsonProcessingException syntax) {
            return syntaxError(file, text, syntax);
        } catch (IOException unexpected) {
            return failed(file, Position.START, "cannot read YAML: " + unexpected.getMessage());
        }
    }

    private YamlNode node(JsonToken token, int depth) throws IOException {
        Position position = here();
        if (depth > MAX_DEPTH) {
            throw new Refused(position, "refused: nesting deeper than " + MAX_DEPTH + " levels");
        }
        if (parser.isCurrentAlias()) {
            return alias(position);
        }
        String anchor = parser.getObjectId();
        YamlNode node =
                switch (token) {
                    case START_OBJECT -> mapping(position, depth);
                    case START_ARRAY -> sequence(position, depth);
                    default -> scalar(token, position);
                };
        count(node, 1);
        if (anchor != null) {
            anchors.put(anchor, node);
        }
        return node;
    }

    private YamlNode.Mapping mapping(Position position, int depth) throws IOException {
        List<YamlNode.Entry> entries = new ArrayList<>();
        Map<String, Position> seen = new HashMap<>();
        int weight = 1;
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
            String key = parser.currentName();
            Position keyPosition = here();
            YamlNode value = node(parser.nextToken(), depth + 1);
            weight += weights.getOrDefault(value, 1);
            Position first = seen.putIfAbsent(key, keyPosition);
            if (first != null) {
                problems.add(new Problem(
                        file, keyPosition, "duplicate key '" + key + "' (first at line " + first.line() + ")"));
            } else {
                entries.add(new YamlNode.Entry(key, keyPosition, value));
            }
        }
        YamlNode.Mapping mapping = new YamlNode.Mapping(position, List.copyOf(entries));
        weights.put(mapping, weight);
        return mapping;
    }

    private YamlNode.Sequence sequence(Position position, int depth) throws IOException {
        List<YamlNode> items = new ArrayList<>();
        int weight = 1;
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            YamlNode item = node(token, depth + 1);
            weight += weights.getOrDefault(item, 1);
            items.add(item);
        }
        YamlNode.Sequence sequence = new YamlNode.Sequence(position, List.copyOf(items));
        weights.put(sequence, weight);
        return sequence;
    }

    private YamlNode scalar(JsonToken token, Position position) throws IOException {
        String text = parser.getText();
        if (text.length() > MAX_SCALAR_LENGTH) {
            throw new Refused(
                    position,
                    "refused: a value of " + text.length() + " characters (at most " + MAX_SCALAR_LENGTH + ")");
        }
        YamlNode.Scalar.Kind kind =
                switch (token) {
                    case VALUE_NUMBER_INT -> YamlNode.Scalar.Kind.INTEGER;
                    case VALUE_NUMBER_FLOAT -> YamlNode.Scalar.Kind.FLOAT;
                    case VALUE_TRUE, VALUE_FALSE -> YamlNode.Scalar.Kind.BOOLEAN;
                    case VALUE_NULL -> YamlNode.Scalar.Kind.NULL;
                    default -> YamlNode.Scalar.Kind.STRING;
                };
        return new YamlNode.Scalar(position, text, kind);
    }

    /** An alias shares its anchor's (immutable) subtree; what it would cost expanded is counted. */
    private YamlNode alias(Position position) throws IOException {
        String name = parser.getText();
        YamlNode target = anchors.get(name);
        if (target == null) {
            throw new Refused(
                    position,
                    "alias *" + name
                            + " names no anchor defined before it (anchor a mapping or a list; anchors on single values are not supported)");
        }
        if (++aliases > MAX_ALIASES) {
            throw new Refused(position, "refused: more than " + MAX_ALIASES + " aliases (an alias bomb?)");
        }
        count(target, weights.getOrDefault(target, 1));
        return target;
    }

    private void count(YamlNode node, int weight) {
        nodes += weight;
        if (nodes > MAX_NODES) {
            throw new Refused(
                    node.position(),
                    "refused: the document expands to more than " + MAX_NODES + " nodes (an alias bomb?)");
        }
    }

    private Position here() {
        return position(parser.currentTokenLocation());
    }

    private static Position position(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return Position.START;
        }
        return new Position(location.getLineNr(), Math.max(1, location.getColumnNr()));
    }

    private static Result syntaxError(String file, String text, JsonProcessingException exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                Mark mark = marked.getProblemMark();
                Position position = new Position(mark.getLine() + 1, mark.getColumn() + 1);
                String message = "YAML syntax error: " + marked.getProblem();
                if (marked.getContext() != null && marked.getContextMark() != null) {
                    message += " (" + marked.getContext() + " started at line "
                            + (marked.getContextMark().getLine() + 1) + ")";
                }
                return failed(file, position, message + hint(text, position, marked.getProblem()));
            }
            if (cause instanceof org.yaml.snakeyaml.error.YAMLException yaml
                    && yaml.getMessage() != null
                    && yaml.getMessage().contains("exceeds the limit")) {
                return failed(
                        file,
                        Position.START,
                        "file is too large: a runbook has at most " + MAX_CODE_POINTS + " characters");
            }
        }
        String message = exception.getOriginalMessage();
        return failed(file, position(exception.getLocation()), "YAML syntax error: " + message);
    }

    private static String hint(String text, Position position, String problem) {
        String line = text.lines().skip(position.line() - 1L).findFirst().orElse("");
        if (line.contains("${") && (line.contains("{ ") || line.contains("["))) {
            return "; inside { } or [ ] quote parameter references: \"${name}\"";
        }
        if (problem != null && problem.contains("'\\t'")) {
            return "; indent with spaces, not tabs";
        }
        return "";
    }

    private static Result failed(String file, Position position, String message) {
        return new Result(Optional.empty(), List.of(new Problem(file, position, message)));
    }

    private static YAMLFactory factory() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_CODE_POINTS + 1024);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        // Duplicate keys are found by this reader, which reports every one with both lines; snakeyaml's own
        // check (allowDuplicateKeys=false) makes Jackson stop at the first and hide the rest.
        options.setAllowDuplicateKeys(true);
        options.setAllowRecursiveKeys(false);
        return YAMLFactory.builder()
                .loaderOptions(options)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH + 1)
                        .maxStringLength(MAX_SCALAR_LENGTH * 2)
                        .maxNumberLength(100)
                        .maxDocumentLength(MAX_CODE_POINTS * 4L)
                        .build())
                .build();
    }

    /** Hostile or broken input: stop reading at once. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Position position;

        Refused(Position position, String message) {
            super(message, null, false, false);
            this.position = position;
        }
    }
}
