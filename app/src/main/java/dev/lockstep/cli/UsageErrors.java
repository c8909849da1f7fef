package dev.lockstep.cli;

import dev.lockstep.ExitCode;
import dev.lockstep.Suggestions;
import dev.lockstep.tui.plain.TerminalText;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A usage error as an operator on an 80x24 terminal needs it: what is wrong, then where the full usage is.
 * picocli's default prints the whole usage (40 lines for {@code run}) after the error, which pushes the error
 * off the screen. "did you mean" is chosen by edit distance, like the runbook's unknown keys.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {

    /** picocli's message for a map option's value without '=' says "option" twice and never quotes the value. */
    private static final Pattern KEY_VALUE = Pattern.compile(
            "Value for option option '([^']+)'(?: at index \\d+)? \\(([^)]*)\\) should be in KEY=VALUE.*format but was"
                    + " (.*)",
            Pattern.DOTALL);

    @Override
    public int handleParseException(ParameterException exception, String[] args) {
        CommandLine command = exception.getCommandLine();
        String name = command.getCommandSpec().qualifiedName();
        PrintWriter err = command.getErr();
        TerminalText.println(err, name + ": " + message(exception));
        err.println("Try '" + name + " --help' for the full usage.");
        err.flush();
        return ExitCode.USAGE.code();
    }

    static String message(ParameterException exception) {
        CommandSpec spec = exception.getCommandLine().getCommandSpec();
        if (exception instanceof UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()) {
            return unmatched(spec, unmatched);
        }
        String message = exception.getMessage() == null ? "" : exception.getMessage();
        Matcher keyValue = KEY_VALUE.matcher(message);
        if (keyValue.matches()) {
            return "option '" + keyValue.group(1) + "' expects " + keyValue.group(2) + ", got '" + keyValue.group(3)
                    + "'";
        }
        return lowerFirst(message);
    }

    private static String unmatched(CommandSpec spec, UnmatchedArgumentException exception) {
        List<String> arguments = exception.getUnmatched();
        if (exception.isUnknownOption()) {
            String option = arguments.stream()
                    .filter(argument -> argument.startsWith("-"))
                    .findFirst()
                    .orElse(arguments.get(0));
            // --standy=URL is --standy misspelt, whatever its value
            String written = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
            return "unknown option '" + written + "'" + Suggestions.didYouMean(written, optionNames(spec));
        }
        String first = arguments.get(0);
        List<String> commands = spec.subcommands().keySet().stream()
                .filter(command -> !spec.subcommands()
                        .get(command)
                        .getCommandSpec()
                        .usageMessage()
                        .hidden())
                .toList();
        if (!commands.isEmpty()) {
            return "unknown command '" + first + "'" + Suggestions.didYouMean(first, commands);
        }
        return arguments.size() == 1
                ? "unexpected argument '" + first + "'"
                : "unexpected arguments '" + String.join("', '", arguments) + "'";
    }

    private static List<String> optionNames(CommandSpec spec) {
        return spec.options().stream()
                .filter(option -> !option.hidden())
                .flatMap(option -> List.of(option.names()).stream())
                .toList();
    }

    private static String lowerFirst(String message) {
        if (message.length() > 1
                && Character.isUpperCase(message.charAt(0))
                && Character.isLowerCase(message.charAt(1))) {
            return message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
        }
        return message;
    }
}
