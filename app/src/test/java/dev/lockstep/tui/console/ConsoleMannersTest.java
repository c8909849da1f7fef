package dev.lockstep.tui.console;

import static dev.lockstep.tui.console.ConsoleHarness.LARGE;
import static dev.lockstep.tui.console.ConsoleHarness.SMALL;
import static dev.lockstep.tui.console.Scenes.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.input.DefaultKeyDecodingProfile;
import com.googlecode.lanterna.input.InputDecoder;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The terminal manners: a resize lays the frame out again with nothing of the old one left; NO_COLOR gives
 * bold and reverse video only; a locale that is not UTF-8 gets ASCII only; an arrow key whose escape sequence
 * a slow link split is one key.
 */
@Timeout(30)
class ConsoleMannersTest {

    private static ConsoleHarness paused(TerminalSize size, Look look) throws Exception {
        return ConsoleHarness.run(size, look, at(67), Scenes.fold())
                .events(Scenes.opening())
                .events(Scenes.backfilling())
                .tick()
                .after(Duration.ofSeconds(13))
                .events(Scenes.pausedByLockQueue())
                .tick();
    }

    /** What a console that started at this size shows for the same run. */
    private static List<String> fresh(TerminalSize size) throws Exception {
        try (ConsoleHarness console = paused(size, new Look(true, true))) {
            return console.lines();
        }
    }

    @Test
    void aResizeLaysTheFrameOutAgainWithNothingOfTheOldOneLeft() throws Exception {
        try (ConsoleHarness console = paused(LARGE, new Look(true, true))) {
            console.resize(SMALL).tick();
            assertThat(console.lines()).containsExactlyElementsOf(fresh(SMALL));

            console.resize(LARGE).tick();
            assertThat(console.lines()).containsExactlyElementsOf(fresh(LARGE));

            console.key("2").resize(SMALL).tick().key("1");
            assertThat(console.lines()).containsExactlyElementsOf(fresh(SMALL));
        }
    }

    @Test
    void belowEightyByTwentyFourTheConsoleSaysSoAndTheRunGoesOn() throws Exception {
        try (ConsoleHarness console = paused(SMALL, new Look(true, true))) {
            console.resize(new TerminalSize(60, 20)).tick();
            assertThat(console.lines())
                    .startsWith(
                            "Lockstep's console needs at least 80x24; this terminal is",
                            "60x20. Enlarge it, or quit (q) and run again with --plain",
                            "for line mode. The run goes on meanwhile: PAUSED",
                            "");
            assertThat(console.lines().subList(3, 20)).allMatch(String::isEmpty);

            console.resize(SMALL).tick();
            assertThat(console.lines()).containsExactlyElementsOf(fresh(SMALL));
        }
    }

    @Test
    void noColorGivesBoldAndReverseButNoColour() throws Exception {
        Look look = Look.from(Map.of("NO_COLOR", "1", "LANG", "en_US.UTF-8"));
        assertThat(look.color()).isFalse();
        assertThat(look.unicode()).isTrue();
        try (ConsoleHarness console = paused(SMALL, look)) {
            for (String pane : List.of("1", "2", "3", "4")) {
                console.key(pane);
                assertThat(console.cells()).noneMatch(ConsoleHarness::coloured);
            }
            console.key("1").key("A");
            assertThat(console.cells()).noneMatch(ConsoleHarness::coloured);
            // what colour would say, bold and reverse say: the banner of a pause, the breach
            assertThat(ConsoleHarness.styled(console.cellOf("PAUSED by lock-queue"), SGR.REVERSE))
                    .isTrue();
            assertThat(ConsoleHarness.styled(console.cellOf("BREACH"), SGR.BOLD))
                    .isTrue();
        }
        // and with colour, the same cells are coloured
        try (ConsoleHarness console = paused(SMALL, Look.from(Map.of("LANG", "en_US.UTF-8")))) {
            TextCharacter breach = console.cellOf("BREACH");
            assertThat(breach.getForegroundColor()).isEqualTo(TextColor.ANSI.RED);
            assertThat(console.cellOf("PAUSED by lock-queue").getBackgroundColor())
                    .isEqualTo(TextColor.ANSI.RED);
        }
    }

    @Test
    void aLocaleThatIsNotUtf8GetsAsciiOnly() throws Exception {
        Look look = Look.from(Map.of("LC_ALL", "C", "LANG", "en_US.UTF-8"));
        assertThat(look.unicode()).isFalse();
        assertThat(look.charset()).isEqualTo(StandardCharsets.US_ASCII);
        for (TerminalSize size : List.of(SMALL, LARGE)) {
            try (ConsoleHarness console = paused(size, look)) {
                List<String> screens = new ArrayList<>();
                for (String key : List.of("1", "2", "3", "4", "?", "x", "1", "p")) {
                    console.key(key);
                    screens.add(console.text());
                }
                for (String screen : screens) {
                    assertThat(screen.chars()).as(screen).allMatch(c -> c < 0x80);
                }
                assertThat(screens.get(0)).contains("-- STEPS 3/5 ------").contains(" | [############--------] 60.5%");
                assertThat(screens.get(7)).contains("+- PAUSE ---").contains("| reason: _");
            }
        }
    }

    /**
     * A link that delivers bytes in chunks: the next chunk arrives only after the decoder has found nothing more
     * ready once, as when a slow SSH link splits an arrow key's sequence. Arrival follows the decoder's own polls,
     * not the clock, so the outcome does not depend on timing.
     */
    static final class SlowLink extends Reader {
        private final Deque<String> chunks;
        private final StringBuilder arrived = new StringBuilder();

        SlowLink(String... chunks) {
            this.chunks = new ArrayDeque<>(List.of(chunks));
            arrived.append(this.chunks.removeFirst());
        }

        @Override
        public boolean ready() {
            if (arrived.length() > 0) {
                return true;
            }
            if (!chunks.isEmpty()) {
                // nothing yet: the rest is on its way and arrives while the decoder waits
                arrived.append(chunks.removeFirst());
            }
            return false;
        }

        @Override
        public int read(char[] buffer, int offset, int length) {
            if (arrived.length() == 0) {
                if (chunks.isEmpty()) {
                    return -1;
                }
                arrived.append(chunks.removeFirst());
            }
            int n = Math.min(length, arrived.length());
            arrived.getChars(0, n, buffer, offset);
            arrived.delete(0, n);
            return n;
        }

        @Override
        public void close() {}
    }

    private static List<KeyStroke> decode(InputDecoder decoder) throws Exception {
        decoder.addProfile(new DefaultKeyDecodingProfile());
        List<KeyStroke> keys = new ArrayList<>();
        KeyStroke key;
        while ((key = decoder.getNextCharacter(false)) != null && key.getKeyType() != KeyType.EOF) {
            keys.add(key);
        }
        return keys;
    }

    @Test
    void anArrowKeySplitByASlowLinkIsOneKeyNotEscAndLetters() throws Exception {
        // lanterna's decoder as it comes reads the split sequence as Esc, '[' and 'A': in the console that would
        // hide a question and open the abort dialog
        assertThat(decode(new InputDecoder(new SlowLink("\u001b", "[A"))))
                .extracting(KeyStroke::getKeyType)
                .containsExactly(KeyType.Escape, KeyType.Character, KeyType.Character);

        List<KeyStroke> keys =
                decode(ConsoleTerminal.waitForSplitSequences(new InputDecoder(new SlowLink("\u001b", "[A"))));

        assertThat(keys).extracting(KeyStroke::getKeyType).containsExactly(KeyType.ArrowUp);
        try (ConsoleHarness console = paused(SMALL, new Look(true, true))) {
            console.ask(Scenes.approval());
            console.tick();
            assertThat(console.text()).contains("─ APPROVAL confirm-backup ─");
            console.press(keys.toArray(KeyStroke[]::new)).tick();
            assertThat(console.text()).contains("─ APPROVAL confirm-backup ─").doesNotContain("ABORT");
        }
    }

    @Test
    void aWholeSequenceAndAPlainEscStillDecodeAsTheyShould() throws Exception {
        assertThat(decode(ConsoleTerminal.waitForSplitSequences(new InputDecoder(new SlowLink("\u001b[B")))))
                .extracting(KeyStroke::getKeyType)
                .containsExactly(KeyType.ArrowDown);
        assertThat(decode(ConsoleTerminal.waitForSplitSequences(new InputDecoder(new SlowLink("\u001b")))))
                .extracting(KeyStroke::getKeyType)
                .containsExactly(KeyType.Escape);
    }
}
