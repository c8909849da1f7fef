package dev.lockstep.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * One man page per command ({@code lockstep(1)}, {@code lockstep-run(1)}, ...), written by the build into
 * {@code dist/man/man1} from the same picocli model as {@code --help} and the completion script, so that the
 * three cannot disagree.
 *
 * <p>picocli's own ManPageGenerator writes AsciiDoc, which needs Asciidoctor (JRuby: about 30 MB of
 * dependencies and 13 s per build, measured) before {@code man} can show it; this writes the man macros
 * directly in a few milliseconds, with no date in the page, so that the build stays quick and reproducible.
 */
public final class ManPages {

    /** Text lines fit 72 columns, so that with man's margin of 7 a page reads on an 80-column terminal. */
    private static final int WIDTH = 72;

    /** {@code "  pause-replay     pause WAL replay..."}: a name, two blanks or more, what it is. */
    private static final Pattern LIST_ITEM = Pattern.compile(" +(\\S+) {2,}(\\S.*)");

    private ManPages() {}

    /** {@code ManPages DIR}: writes every page into DIR (the build's dist/man/man1), quietly, as builds are. */
    public static void main(String... args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ManPages DIR");
        }
        write(Path.of(args[0]).normalize());
    }

    /** Writes {@code lockstep.1} and {@code lockstep-COMMAND.1} for every command but help; returns the files. */
    public static List<Path> write(Path dir) throws IOException {
        StringWriter discarded = new StringWriter();
        CommandLine root = Main.commandLine(new PrintWriter(discarded), new PrintWriter(discarded));
        String version = new Main.Version().getVersion()[0];
        Files.createDirectories(dir);
        List<Path> pages = new ArrayList<>();
        List<CommandLine> commands = new ArrayList<>();
        commands.add(root);
        root.getSubcommands().forEach((name, sub) -> {
            if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
                commands.add(sub);
            }
        });
        for (CommandLine command : commands) {
            Path page = dir.resolve(pageName(command.getCommandSpec()) + ".1");
            Files.writeString(page, page(command.getCommandSpec(), version), StandardCharsets.UTF_8);
            pages.add(page);
        }
        return pages;
    }

    /** The page of one command, in the man(7) macros. */
    static String page(CommandSpec spec, String version) {
        StringBuilder page = new StringBuilder();
        String name = pageName(spec);
        line(
                page,
                ".TH " + quoted(name.toUpperCase(Locale.ROOT)) + " 1 \"\" " + quoted(version) + " \"Lockstep Manual\"");
        // ragged right and no hyphenation: option names and paths are copied from the page
        line(page, ".ad l");
        line(page, ".nh");
        line(page, ".SH NAME");
        line(page, text(name) + " \\- " + text(summary(spec)));

        line(page, ".SH SYNOPSIS");
        line(page, ".nf");
        spec.usageMessage().width(WIDTH);
        String synopsis = spec.commandLine().getHelp().synopsis(0).stripTrailing();
        for (String row : synopsis.split("\n")) {
            line(page, text(row.replaceFirst("^Usage: ", "")));
        }
        line(page, ".fi");

        line(page, ".SH DESCRIPTION");
        paragraphs(page, spec.usageMessage().description());

        List<PositionalParamSpec> arguments = spec.positionalParameters().stream()
                .filter(argument -> !argument.hidden())
                .toList();
        if (!arguments.isEmpty()) {
            line(page, ".SH ARGUMENTS");
            for (PositionalParamSpec argument : arguments) {
                line(page, ".TP");
                line(page, "\\fI" + text(argument.paramLabel()) + "\\fR");
                line(page, text(described(argument)));
            }
        }

        List<OptionSpec> options = spec.options().stream()
                .filter(option -> !option.hidden())
                .sorted((left, right) -> left.longestName().compareTo(right.longestName()))
                .toList();
        if (!options.isEmpty()) {
            line(page, ".SH OPTIONS");
            for (OptionSpec option : options) {
                line(page, ".TP");
                line(page, optionTerm(option));
                line(page, text(described(option)));
            }
        }

        Map<String, CommandLine> subcommands = spec.subcommands();
        if (!subcommands.isEmpty()) {
            line(page, ".SH COMMANDS");
            int tagWidth =
                    subcommands.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
            subcommands.forEach((subName, sub) -> {
                line(page, ".TP " + tagWidth);
                line(page, "\\fB" + text(subName) + "\\fR");
                line(page, text(summary(sub.getCommandSpec())));
            });
        }

        Map<String, String> exitCodes = spec.usageMessage().exitCodeList();
        if (!exitCodes.isEmpty()) {
            line(page, ".SH EXIT STATUS");
            exitCodes.forEach((code, meaning) -> {
                line(page, ".TP");
                line(page, "\\fB" + text(code.strip()) + "\\fR");
                line(page, text(meaning));
            });
        }

        line(page, ".SH SEE ALSO");
        List<String> related = new ArrayList<>();
        if (spec.parent() == null) {
            subcommands.forEach((subName, sub) -> {
                if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
                    related.add("\\fB" + text(pageName(sub.getCommandSpec())) + "\\fR(1)");
                }
            });
        } else {
            related.add("\\fB" + text(pageName(spec.root())) + "\\fR(1)");
        }
        line(page, String.join(",\n", related));
        return page.toString();
    }

    /** lockstep, lockstep-run: the command's path joined with dashes, as git names its pages. */
    static String pageName(CommandSpec spec) {
        return spec.qualifiedName("-");
    }

    /** The header (a command's one-line summary), else the first line of the description. */
    private static String summary(CommandSpec spec) {
        String[] header = spec.usageMessage().header();
        if (header.length > 0) {
            return header[0];
        }
        String[] description = spec.usageMessage().description();
        return description.length > 0 ? description[0] : "";
    }

    /**
     * Each description element is a paragraph. Indented elements are written as they are: a list of
     * {@code "  name   what it does"} lines (drill's scenarios) becomes a tagged list that man fills to the
     * screen; other indented lines (an example command) stay verbatim, without the two blanks man's margin
     * already gives them.
     */
    private static void paragraphs(StringBuilder page, String[] description) {
        int i = 0;
        while (i < description.length) {
            if (!description[i].startsWith(" ")) {
                line(page, ".PP");
                line(page, text(description[i]));
                i++;
                continue;
            }
            int end = i;
            while (end < description.length && description[end].startsWith(" ")) {
                end++;
            }
            List<String> block = List.of(description).subList(i, end);
            if (block.stream().allMatch(element -> LIST_ITEM.matcher(element).matches())) {
                int tagWidth = block.stream()
                                .mapToInt(element -> element.strip().indexOf(' '))
                                .max()
                                .orElse(0)
                        + 2;
                for (String element : block) {
                    Matcher item = LIST_ITEM.matcher(element);
                    item.matches();
                    line(page, ".TP " + tagWidth);
                    line(page, "\\fB" + text(item.group(1)) + "\\fR");
                    line(page, text(item.group(2)));
                }
            } else {
                line(page, ".PP");
                line(page, ".nf");
                block.forEach(element -> line(page, text(element.replaceFirst("^  ", ""))));
                line(page, ".fi");
            }
            i = end;
        }
    }

    /** {@code --db=CONN}, {@code -h, --help}: the names in bold, the value's label in italics. */
    private static String optionTerm(OptionSpec option) {
        List<String> names = new ArrayList<>();
        for (String name : option.names()) {
            names.add("\\fB" + text(name) + "\\fR");
        }
        String term = String.join(", ", names);
        if (option.typeInfo().isBoolean() || option.arity().max() == 0) {
            return term;
        }
        return term + "=\\fI" + text(option.paramLabel()) + "\\fR";
    }

    /** The description with ${DEFAULT-VALUE} and ${COMPLETION-CANDIDATES} filled in, as --help shows it. */
    private static String described(ArgSpec arg) {
        return String.join(" ", arg.renderedDescription());
    }

    /**
     * Text in a man page: a backslash is written as {@code \e}, a dash as {@code \-} (a minus: options copied
     * from the page must work), and a line that would start with a control character is protected.
     */
    static String text(String value) {
        String escaped = value.replace("\\", "\\e").replace("-", "\\-");
        if (escaped.startsWith(".") || escaped.startsWith("'")) {
            escaped = "\\&" + escaped;
        }
        return escaped;
    }

    private static String quoted(String value) {
        return "\"" + text(value).replace("\"", "\\(dq") + "\"";
    }

    private static void line(StringBuilder page, String text) {
        page.append(text).append('\n');
    }
}
