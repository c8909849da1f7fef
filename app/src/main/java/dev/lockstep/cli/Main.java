package dev.lockstep.cli;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.tui.plain.TerminalText;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;

/** The {@code lockstep} command: parses the command line and hands each subcommand to the core. */
@Command(
        name = "lockstep",
        // --help and --version after every command, including commands added later: a newcomer's first try
        scope = CommandLine.ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runbook console for PostgreSQL changes that touch durable state.",
        // One command per line: parallel work adds lines here.
        subcommands = {
            CommandLine.HelpCommand.class,
            RunCommand.class,
            StatusCommand.class,
            ValidateCommand.class,
            SchemaCommand.class,
            SandboxCommand.class,
            DemoCommand.class,
            DrillCommand.class,
            KeygenCommand.class,
            VerifyCommand.class,
            EvidenceCommand.class,
            WatchCommand.class,
            CompletionCommand.class,
            ApproveCommand.class,
        },
        exitCodeListHeading = "%nExit codes:%n")
public final class Main implements Runnable {

    @Option(
            names = "--stacktrace",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Print the full stack trace of an error.")
    boolean stacktrace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Main() {}

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String... args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line and returns its exit code; only {@link #main} ends the process. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = commandLine(out, err);
        boolean stacktrace = Arrays.asList(args).contains("--stacktrace");
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) -> {
            report(exception, stacktrace, failed.getErr());
            return exitCodeOf(exception);
        });
        return commandLine.execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExitCodeExceptionMapper(Main::exitCodeOf);
        commandLine.setParameterExceptionHandler(new UsageErrors());
        Map<String, String> exitCodes = new LinkedHashMap<>();
        for (ExitCode exitCode : ExitCode.values()) {
            exitCodes.put(Integer.toString(exitCode.code()), exitCode.meaning());
        }
        commandLine.getCommandSpec().exitCodeOnExecutionException(ExitCode.INTERNAL_ERROR.code());
        everyCommand(commandLine, command -> {
            // A command's header is its one-line summary: the command list (and the man page's NAME) show it;
            // its own help starts with the usage, and the description says it in full.
            List<String> sections = new ArrayList<>(command.getHelpSectionKeys());
            sections.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER_HEADING);
            sections.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER);
            command.setHelpSectionKeys(sections);
            // the list heading is inherited: every command's help (and man page) lists the exit codes
            command.getCommandSpec().usageMessage().exitCodeList(exitCodes);
            command.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE.code());
        });
        return commandLine;
    }

    private static void everyCommand(CommandLine command, Consumer<CommandLine> action) {
        action.accept(command);
        for (CommandLine sub : command.getSubcommands().values()) {
            everyCommand(sub, action);
        }
    }

    static int exitCodeOf(Throwable exception) {
        if (exception instanceof LockstepException lockstep) {
            return lockstep.exitCode().code();
        }
        if (exception instanceof CommandLine.ParameterException) {
            return ExitCode.USAGE.code();
        }
        return ExitCode.INTERNAL_ERROR.code();
    }

    /** One line: the message and the distinct messages of its causes; on a terminal, wrapped at words. */
    static void report(Throwable exception, boolean stacktrace, PrintWriter err) {
        report(exception, stacktrace, err, TerminalText.width());
    }

    static void report(Throwable exception, boolean stacktrace, PrintWriter err, int width) {
        if (stacktrace) {
            exception.printStackTrace(err);
            return;
        }
        TerminalText.wrap("lockstep: " + causeChain(exception), width, "  ").forEach(err::println);
        if (!(exception instanceof LockstepException)) {
            TerminalText.wrap(
                            "lockstep: this is a bug in Lockstep; run again with --stacktrace and report it",
                            width,
                            "  ")
                    .forEach(err::println);
        }
        err.flush();
    }

    static String causeChain(Throwable exception) {
        Map<String, Boolean> messages = new LinkedHashMap<>();
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage() == null || cause.getMessage().isBlank()
                    ? cause.getClass().getSimpleName()
                    : cause.getMessage();
            boolean repeated = messages.keySet().stream().anyMatch(message::contains)
                    || messages.keySet().stream().anyMatch(seen -> seen.contains(message));
            if (!repeated) {
                messages.put(message, true);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return String.join(": ", messages.keySet());
    }

    /** Reads the version that the build filtered into {@code version.properties}. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/dev/lockstep/version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            }
            return new String[] {
                "lockstep " + properties.getProperty("version", "unknown"),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
            };
        }
    }
}
