package dev.lockstep.cli;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.criteria.Sampler;
import dev.lockstep.engine.Holder;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.RunRequest;
import dev.lockstep.engine.RunSession;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.timeline.OperatorKey;
import dev.lockstep.tui.ClosingLines;
import dev.lockstep.tui.FullScreen;
import dev.lockstep.tui.console.Look;
import dev.lockstep.tui.console.RunConsole;
import dev.lockstep.tui.plain.LineMode;
import dev.lockstep.tui.plain.TerminalText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lockstep run}: runs (or resumes) a runbook against a database in line mode. */
@Command(
        name = "run",
        header = "Run a runbook against a database, or resume it.",
        description = "Run a runbook against a database; running the same runbook on the same database again"
                + " resumes it. Exit 4 when stopped (resumable) or when another process holds the run.")
public final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The runbook (YAML).")
    Path file;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--param", paramLabel = "K=V", description = "A runbook parameter (repeatable).")
    Map<String, String> parameters = new LinkedHashMap<>();

    @Option(
            names = "--plain",
            description = "Line mode: one line per event, questions at a prompt (the default without a tty or with"
                    + " TERM=dumb; on a terminal the full-screen console is the default).")
    boolean plain;

    @Option(
            names = "--approve",
            paramLabel = "STEP=REASON",
            description = "Approve an approval step in advance, for unattended drills and CI; recorded with the"
                    + " OS user and the reason (repeatable).")
    Map<String, String> approvals = new LinkedHashMap<>();

    @Option(
            names = "--decide",
            paramLabel = "STEP=OPTION:REASON",
            description = "What to do if STEP fails, decided in advance for an unattended run: retry, repair,"
                    + " roll-forward, rollback, skip, abandon or abort (docs/recovery.md); taken only when the"
                    + " option is available, recorded with the OS user and the reason (repeatable)."
                    + " ledger:flyway or ledger:liquibase as STEP decides a migration ledger's failed entry or"
                    + " lock found before the first step: acknowledge, repair (release a stuck Liquibase lock)"
                    + " or abort. The same flag answers STEP's other questions: a step in doubt (applied, retry,"
                    + " abort) and a backfill about to overrun the window (continue, throttle, abort).")
    Map<String, String> decisions = new LinkedHashMap<>();

    @Option(
            names = "--accept-changed-runbook",
            paramLabel = "REASON",
            description = "Resume although the runbook changed since the run began; the reason is recorded.")
    String acceptChangedRunbook;

    @Mixin
    SchemaOption schema;

    @Option(names = "--every-batch", description = "Print a line for every committed batch.")
    boolean everyBatch;

    @Option(
            names = "--timeline",
            paramLabel = "DIR",
            defaultValue = "timeline",
            description = "Where the run's signed write-ahead timeline goes (default: ./${DEFAULT-VALUE}).")
    Path timelineDir;

    @Option(
            names = "--key",
            paramLabel = "FILE",
            description = "The operator key that signs the timeline (else LOCKSTEP_KEY, else the default path;"
                    + " make one with 'lockstep keygen --out FILE').")
    Path key;

    @Option(
            names = "--unsigned",
            description = "Write the timeline without signatures; the timeline and verify say so.")
    boolean unsigned;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (unsigned && key != null) {
            throw LockstepException.usage("--key and --unsigned contradict each other: choose one");
        }
        Runbook runbook = RunbookLoader.load(file, parameters);
        Path keyFile = unsigned ? null : OperatorKey.locateFile(key, System.getenv());
        Holder holder = Holder.current();
        RunSession session = RunSession.prepare(new RunRequest(
                runbook,
                file,
                parameters,
                connection.primary(),
                connection.standbys(),
                timelineDir,
                keyFile == null ? null : OperatorKey.load(keyFile),
                schema.schema(),
                approvals,
                Decisions.parse(decisions),
                acceptChangedRunbook,
                holder,
                Sampler.Settings.defaults(),
                new Main.Version().getVersion()[0]));
        PrintWriter out = spec.commandLine().getOut();
        boolean fullScreen = FullScreen.available(plain, System.getenv());
        int exit = fullScreen
                ? RunConsole.run(session, Look.from(System.getenv()), holder.userAtHost(), false, event -> {})
                : LineMode.run(session, out, holder.userAtHost(), everyBatch, event -> {}, Operator.UNATTENDED);
        // on the normal screen again: how it ended (the console's last frame is gone), where the timeline is
        ClosingLines.of(session.view(), session.timelineFile(), keyFile, fullScreen)
                .forEach(out::println);
        if (exit != ExitCode.DONE.code()) {
            DemoTablesHint.after(connection.primary(), file).ifPresent(hint -> TerminalText.println(out, hint));
        }
        return exit;
    }
}
