package dev.lockstep.runbook.internal;

import dev.lockstep.runbook.Position;
import java.util.List;
import java.util.Optional;

/**
 * A YAML node that remembers where it was written. Jackson's tree forgets locations, so the loader
 * builds this one from the streaming parser and reports every problem at the offending key or value.
 */
public sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {

    Position position();

    /** How the node is named in messages: "a mapping", "a list", "the text 'soon'". */
    String describe();

    /** A mapping; keys are unique (the reader reports duplicates and keeps the first). */
    record Mapping(Position position, List<Entry> entries) implements YamlNode {
        public Optional<Entry> entry(String key) {
            return entries.stream().filter(entry -> entry.key().equals(key)).findFirst();
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Entry(String key, Position keyPosition, YamlNode value) {}

    record Sequence(Position position, List<YamlNode> items) implements YamlNode {
        @Override
        public String describe() {
            return "a list";
        }
    }

    /** A scalar with its text as written and the type YAML resolved for it. */
    record Scalar(Position position, String text, Kind kind) implements YamlNode {
        public enum Kind {
            STRING,
            INTEGER,
            FLOAT,
            BOOLEAN,
            NULL
        }

        @Override
        public String describe() {
            return switch (kind) {
                case NULL -> "nothing (null)";
                case STRING -> "'" + abbreviate(text) + "'";
                default -> abbreviate(text);
            };
        }

        private static String abbreviate(String text) {
            String oneLine = text.strip().replace('\n', ' ');
            return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 37) + "...";
        }
    }
}
