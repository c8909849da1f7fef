package dev.lockstep.tui.plain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TerminalTextTest {

    private static final String NO_KEY = "lockstep: no operator key: --key is not given, LOCKSTEP_KEY is not set and"
            + " /home/oncall/.config/lockstep/operator.key does not exist; make one with 'lockstep keygen --out"
            + " /home/oncall/.config/lockstep/operator.key' or run with --unsigned";

    @Test
    void wrapsAtWordsAndKeepsAQuotedCommandOnOneLine() {
        List<String> lines = TerminalText.wrap(NO_KEY, 80, "  ");

        assertThat(String.join("\n", lines))
                .isEqualTo(
                        """
                        lockstep: no operator key: --key is not given, LOCKSTEP_KEY is not set and
                          /home/oncall/.config/lockstep/operator.key does not exist; make one with
                          'lockstep keygen --out /home/oncall/.config/lockstep/operator.key' or run with
                          --unsigned""");
        // nothing lost, nothing split: joined back it is the message
        assertThat(String.join(" ", lines.stream().map(String::strip).toList())).isEqualTo(NO_KEY);
    }

    @Test
    void aWordLongerThanALineStaysWholeOnALineOfItsOwn() {
        String path =
                "/tmp/lockstep-sandbox-15799332677783568239/demo/evidence/report-of-the-run-with-a-long-name.html";

        List<String> lines = TerminalText.wrap("wrote " + path + ", report.md, evidence.json", 80, "  ");

        assertThat(lines).containsExactly("wrote", "  " + path + ",", "  report.md, evidence.json");
    }

    @Test
    void aQuotedSpanTooLongForALineIsWrappedByWords() {
        List<String> lines = TerminalText.wrap("see '" + "word ".repeat(20).strip() + "' now", 40, "  ");

        assertThat(lines).allSatisfy(line -> assertThat(line).hasSizeLessThanOrEqualTo(40));
        assertThat(lines).hasSizeGreaterThan(2);
    }

    @Test
    void withoutATerminalAMessageStaysOnOneLine() {
        assertThat(TerminalText.wrap(NO_KEY, 0, "  ")).containsExactly(NO_KEY);
    }
}
