package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The man pages the build writes into dist/man/man1, read with man's own formatter as {@code man -l} would. */
class ManPagesTest {

    @TempDir
    static Path dir;

    private static List<Path> pages;

    @BeforeAll
    static void writePages() throws IOException {
        pages = ManPages.write(dir);
    }

    private static CommandLine commandLine() {
        StringWriter discarded = new StringWriter();
        return Main.commandLine(new PrintWriter(discarded), new PrintWriter(discarded));
    }

    @Test
    void onePagePerCommand() {
        List<String> expected = new java.util.ArrayList<>(List.of("lockstep.1"));
        commandLine().getSubcommands().keySet().stream()
                .filter(name -> !name.equals("help"))
                .map(name -> "lockstep-" + name + ".1")
                .forEach(expected::add);

        assertThat(pages).extracting(page -> page.getFileName().toString()).containsExactlyElementsOf(expected);
    }

    @Test
    void runsPageHasItsSummaryEveryOptionAndTheExitCodesAsManShowsThem() throws Exception {
        String shown = format(dir.resolve("lockstep-run.1")).replaceAll("\\s+", " ");

        assertThat(shown)
                .contains("lockstep-run - Run a runbook against a database, or resume it.")
                .contains("SYNOPSIS")
                .contains("EXIT STATUS")
                .contains("SEE ALSO");
        for (var option :
                commandLine().getSubcommands().get("run").getCommandSpec().options()) {
            assertThat(shown).as(option.longestName()).contains(option.longestName());
        }
        // defaults filled in, as --help shows them; words and options whole
        assertThat(shown)
                .contains("Lockstep keeps runs, step ledger and checkpoints in (default: lockstep).")
                .contains("Resume although the runbook changed since the run began; the reason is recorded.")
                .doesNotContain("${DEFAULT-VALUE}");
    }

    @Test
    void theTopPageListsTheCommandsAndTheirPages() throws Exception {
        String shown = format(dir.resolve("lockstep.1"));

        assertThat(shown).contains("COMMANDS").contains("verify").contains("lockstep-verify(1)");
    }

    @Test
    void drillsScenarioListStaysAList() throws Exception {
        String shown = format(dir.resolve("lockstep-drill.1"));

        assertThat(shown).containsPattern("(?m)^ +pause-replay +pause WAL replay");
    }

    @Test
    void everyPageFormatsWithoutAWarningWithin80Columns() throws Exception {
        for (Path page : pages) {
            String shown = format(page);
            assertThat(shown).as(page.toString()).contains("NAME");
            assertThat(shown.lines()).as(page.toString()).allSatisfy(line -> assertThat(line)
                    .hasSizeLessThanOrEqualTo(80));
        }
    }

    @Test
    void pagesCarryNoDateSoThatBuildsAreReproducible() throws IOException {
        assertThat(Files.readString(pages.get(0))).startsWith(".TH \"LOCKSTEP\" 1 \"\" \"lockstep ");
    }

    /** The page as man shows it at 80 columns, through groff's man macros; a groff warning fails the test. */
    private static String format(Path page) throws Exception {
        assumeTrue(groff(), "groff is not installed; man pages are checked where it is");
        Process groff =
                new ProcessBuilder("groff", "-man", "-Tascii", "-ww", "-rLL=80n", "-P-cbou", page.toString()).start();
        String out = new String(groff.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(groff.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(groff.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(err).as("groff warnings for " + page).isEmpty();
        assertThat(groff.exitValue()).isZero();
        return out;
    }

    private static boolean groff() {
        try {
            Process version = new ProcessBuilder("groff", "-v").start();
            version.getInputStream().readAllBytes();
            return version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
