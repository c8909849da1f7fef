package dev.lockstep.cli;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.criteria.Sampler;
import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.Holder;
import dev.lockstep.engine.LockstepSchema;
import dev.lockstep.engine.RunRequest;
import dev.lockstep.engine.RunSession;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.sandbox.DemoData;
import dev.lockstep.sandbox.DemoLoad;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.timeline.OperatorKey;
import dev.lockstep.tui.ClosingLines;
import dev.lockstep.tui.FullScreen;
import dev.lockstep.tui.console.Look;
import dev.lockstep.tui.console.RunConsole;
import dev.lockstep.tui.plain.LineMode;
import dev.lockstep.tui.plain.TerminalText;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code lockstep demo}: a real run of the demo runbook against a sandbox primary and standby, with a drill
 * that makes a stop criterion fire, then the timeline verified and an evidence report written. The run,
 * verify and evidence are the real commands, driven in-process.
 */
@Command(
        name = "demo",
        header = "Show a real run, a drill and a verified timeline on a sandbox.",
        mixinStandardHelpOptions = true,
        description = {
            "Start a sandbox (primary + streaming standby), load the demo tables, run the demo runbook on it while a"
                    + " drill pauses replay on the standby (the standby-lag stop criterion pauses the run, then it"
                    + " resumes by itself), verify the signed timeline and write the evidence report. Then the"
                    + " sandbox stays up for you to explore until Ctrl-C (or exits at once with --exit) and is"
                    + " removed. Exit 0 when the run is done and its timeline verifies COMPLETE."
        })
final class DemoCommand implements Callable<Integer> {
    static final String DEMO_RUNBOOK = "runbooks/enforcement-case-priority.yaml";
    /** Above the criterion's clear_below (5 s), so that the lag has to shrink to clear. */
    static final String MAX_LAG = "6s";

    static final String APPROVAL_REASON =
            "demo operator: app 2026.06.28 is deployed on every node (checked the deploy dashboard)";
    private static final Map<String, String> APPROVALS = Map.of("confirm-app-version", APPROVAL_REASON);

    @Option(
            names = "--plain",
            description = "Line mode: one line per event (also without a tty or with TERM=dumb); on a terminal the"
                    + " demo runs in the full-screen console.")
    boolean plain;

    @Option(
            names = "--exit",
            description = "Exit when the story is over (the console closes when the run ends) instead of keeping the"
                    + " sandbox up.")
    boolean exitWhenDone;

    @Option(
            names = "--keep",
            paramLabel = "DIR",
            description = "Copy the operator public key, the timeline and the evidence report into DIR before the"
                    + " sandbox is removed.")
    Path keep;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException, IOException {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        Path runbook = locate(DEMO_RUNBOOK);
        if (keep != null && Files.exists(keep) && !isEmptyDirectory(keep)) {
            throw LockstepException.usage("--keep " + keep + ": exists and is not an empty directory");
        }
        int exit;
        try (Sandbox sandbox = startSandbox(err)) {
            TerminalText.println(
                    err, "demo: loading the demo tables on the primary and waiting for the standby to replay them");
            err.flush();
            try (Connection connection = sandbox.connectPrimary()) {
                DemoData.load(connection);
            } catch (SQLException e) {
                throw new LockstepException(ExitCode.INTERNAL_ERROR, "cannot load the demo tables", e);
            }
            sandbox.awaitStandbyReplay(Duration.ofSeconds(120));
            Path work = Files.createDirectories(sandbox.baseDir().resolve("demo"));
            Path key = work.resolve("operator-key");
            inProcess("keygen", "--out", key.toString());
            boolean fullScreen = FullScreen.available(plain, System.getenv());
            out.print(header(sandbox, runbook, work, fullScreen));
            out.flush();

            DemoOutcome outcome;
            try (DemoLoad load = DemoLoad.start(sandbox)) {
                outcome = tellTheStory(sandbox, runbook, work, key, out, err, fullScreen);
            }
            out.print(outcome.summary());
            if (keep != null) {
                copyOut(work, keep);
                TerminalText.println(out, "Kept the public key, the timeline and the evidence report in " + keep);
            }
            exit = outcome.complete() ? 0 : ExitCode.STEP_FAILED.code();
            if (!exitWhenDone && !outcome.stoppedByUser()) {
                // the run left its own handlers behind (stop the engine at a safe point, a no-op now): replace
                // them before saying "press Ctrl-C", or the first Ctrl-C would be swallowed
                CountDownLatch ended = endOnSignal();
                out.print(explore(sandbox, outcome, work));
                out.flush();
                ended.await();
            }
            err.println("demo: stopping the sandbox and removing its data");
            err.flush();
        }
        return exit;
    }

    /** SIGINT (Ctrl-C), SIGTERM and SIGHUP (the terminal went away) end the wait for the user. */
    private static CountDownLatch endOnSignal() {
        CountDownLatch ended = new CountDownLatch(1);
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            try {
                Signal.handle(new Signal(name), signal -> ended.countDown());
            } catch (IllegalArgumentException unavailable) {
                // the platform or the JVM (-Xrs) does not offer this signal; the others still work
            }
        }
        return ended;
    }

    /** Ctrl-C while the sandbox starts ends the demo; the sandbox closes whatever it started. */
    private static Sandbox startSandbox(PrintWriter err) {
        return Sandbox.start(SandboxCommand.sandboxConfig(null, null, err));
    }

    private DemoOutcome tellTheStory(
            Sandbox sandbox, Path runbook, Path work, Path key, PrintWriter out, PrintWriter err, boolean fullScreen)
            throws IOException, InterruptedException {
        Path timelineDir = work.resolve("timeline");
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("batch_size", "1000");
        parameters.put("batch_max", "1000");
        parameters.put("batch_pause", "120ms");
        parameters.put("max_lag", MAX_LAG);
        Holder holder = Holder.current();
        RunSession session = prepare(sandbox, runbook, parameters, timelineDir, key, holder, APPROVALS);
        DemoEvents events = new DemoEvents();
        // a person answers in the console, or at line mode's prompt on a terminal; else the demo operator does
        boolean operatorAttends = fullScreen || System.console() != null;
        DemoStory story = new DemoStory(sandbox, events, session, MAX_LAG, operatorAttends);
        story.takeTheLock();
        Thread drill = new Thread(story, "demo-drill");
        drill.setDaemon(true);
        drill.start();
        out.println(
                typedCommand(runCommand(runbook, sandbox, parameters, APPROVALS, timelineDir, key, fullScreen), work));
        out.flush();
        int runExit;
        try {
            runExit = fullScreen
                    ? RunConsole.run(session, Look.from(System.getenv()), holder.userAtHost(), exitWhenDone, events)
                    : LineMode.run(
                            session, out, holder.userAtHost(), false, events, new DemoOperator(holder.userAtHost()));
        } finally {
            story.runEnded();
            drill.interrupt();
            drill.join(Duration.ofSeconds(30).toMillis());
        }
        if (fullScreen) {
            ClosingLines.of(session.view(), null, null, true).forEach(out::println);
        }
        out.println();
        Path timeline = session.timelineFile();
        int verifyExit = -1;
        int evidenceExit = -1;
        Path evidence = work.resolve("evidence");
        if (timeline != null) {
            TerminalText.println(
                    out,
                    "The run is over (exit " + runExit + "). Anyone with the operator's public key can check"
                            + " its timeline:");
            out.println(typedCommand(List.of("verify", timeline.toString(), "--pubkey", key + ".pub"), work));
            out.flush();
            verifyExit = Main.run(out, err, "verify", timeline.toString(), "--pubkey", key + ".pub");
            out.println(typedCommand(
                    List.of("evidence", timeline.toString(), "--out", evidence.toString(), "--pubkey", key + ".pub"),
                    work));
            out.flush();
            evidenceExit = Main.run(
                    out, err, "evidence", timeline.toString(), "--out", evidence.toString(), "--pubkey", key + ".pub");
        } else {
            TerminalText.println(out, "The run is over (exit " + runExit + ") and wrote no timeline in " + timelineDir);
        }
        out.flush();
        boolean stoppedByUser = session.view().stopping() != null;
        ContractOutcome contract =
                runExit == 0 && !stoppedByUser ? contractAct(sandbox, work, key, holder, out, err, fullScreen) : null;
        return new DemoOutcome(
                runExit,
                verifyExit,
                evidenceExit,
                timeline,
                stoppedByUser || (contract != null && contract.stoppedByUser()),
                contract,
                events.seen(DemoStory::pausedByLocks),
                events.seen(event -> event instanceof EngineEvent.DecisionMade decision
                        && decision.decision().equals("resume")),
                events.seen(DemoStory::breached),
                events.seen(DemoStory::pausedByLag),
                events.seen(DemoStory::cleared),
                events.seen(DemoStory::resumedByItself),
                events.seen(event -> event instanceof EngineEvent.ApprovalGiven approval
                        && approval.step().equals("confirm-app-version")
                        && approval.reason().equals(APPROVAL_REASON)),
                story.replayWasPaused(),
                story.replayWasResumed());
    }

    private static RunSession prepare(
            Sandbox sandbox,
            Path runbook,
            Map<String, String> parameters,
            Path timelineDir,
            Path key,
            Holder holder,
            Map<String, String> approvals)
            throws IOException {
        return RunSession.prepare(new RunRequest(
                RunbookLoader.load(runbook, parameters),
                runbook,
                parameters,
                ConnectionSettings.parse(sandbox.primaryUri()),
                List.of(ConnectionSettings.parse(sandbox.standbyUri())),
                timelineDir,
                OperatorKey.load(key),
                LockstepSchema.defaultSchema(),
                approvals,
                Map.of(),
                null,
                holder,
                Sampler.Settings.defaults(),
                new Main.Version().getVersion()[0]));
    }

    /**
     * The last act: the contract runbook meets a case an old application node wrote, its VALIDATE fails, and the
     * failure is classified and decided (see {@link DemoContract}).
     */
    private ContractOutcome contractAct(
            Sandbox sandbox, Path work, Path key, Holder holder, PrintWriter out, PrintWriter err, boolean fullScreen)
            throws IOException, InterruptedException {
        Path runbook = locate(DemoContract.RUNBOOK);
        Path timelineDir = work.resolve("timeline");
        TerminalText.println(
                out,
                "\nLast act: " + relative(runbook) + " makes priority NOT NULL (the contract). The approval "
                        + DemoContract.APPROVAL_STEP + " is given in advance, but a node still on the old version"
                        + " files a case without a priority right after it: VALIDATE will fail."
                        + (fullScreen
                                ? " The console shows the failure, its class and facts, and only the options that are"
                                        + " safe: press e to repair (a reason), or choose another."
                                : " The demo operator chooses the declared repair, with a reason."));
        if (fullScreen && !exitWhenDone && System.console() != null) {
            out.print("Press Enter to start it (Ctrl-C ends the demo). ");
            out.flush();
            System.console().readLine();
        }
        Map<String, String> approvals = Map.of(DemoContract.APPROVAL_STEP, DemoContract.APPROVAL_REASON);
        RunSession session = prepare(sandbox, runbook, Map.of(), timelineDir, key, holder, approvals);
        DemoContract act = new DemoContract(sandbox);
        out.println(
                typedCommand(runCommand(runbook, sandbox, Map.of(), approvals, timelineDir, key, fullScreen), work));
        out.flush();
        Thread narrator = act.narrate(session);
        int runExit;
        try {
            runExit = fullScreen
                    ? RunConsole.run(session, Look.from(System.getenv()), holder.userAtHost(), exitWhenDone, act)
                    : LineMode.run(
                            session, out, holder.userAtHost(), false, act, new DemoOperator(holder.userAtHost()));
        } finally {
            narrator.interrupt();
        }
        if (fullScreen) {
            ClosingLines.of(session.view(), null, null, true).forEach(out::println);
        }
        Path timeline = session.timelineFile();
        int verifyExit = -1;
        if (timeline != null) {
            out.println(typedCommand(List.of("verify", timeline.toString(), "--pubkey", key + ".pub"), work));
            out.flush();
            verifyExit = Main.run(out, err, "verify", timeline.toString(), "--pubkey", key + ".pub");
        }
        out.flush();
        return new ContractOutcome(
                runExit,
                verifyExit,
                timeline,
                session.view().stopping() != null,
                act.wroteTheRow(),
                act.classified(),
                act.onlySafeOptions(),
                act.decided());
    }

    /** What the last act showed. */
    record ContractOutcome(
            int runExit,
            int verifyExit,
            Path timeline,
            boolean stoppedByUser,
            boolean oldWriterRow,
            boolean classified,
            boolean onlySafeOptions,
            boolean decided) {}

    /** The command line that runs the same as the demo does, to show a newcomer what to type. */
    private static List<String> runCommand(
            Path runbook,
            Sandbox sandbox,
            Map<String, String> parameters,
            Map<String, String> approvals,
            Path timelineDir,
            Path key,
            boolean fullScreen) {
        List<String> run = new ArrayList<>(
                List.of("run", runbook.toString(), "--db", sandbox.primaryUri(), "--standby", sandbox.standbyUri()));
        if (!fullScreen) {
            run.add("--plain");
        }
        parameters.forEach((name, value) -> run.addAll(List.of("--param", name + "=" + value)));
        approvals.forEach((step, reason) -> run.addAll(List.of("--approve", step + "=" + reason)));
        run.addAll(List.of("--timeline", timelineDir.toString(), "--key", key.toString()));
        return run;
    }

    /** What happened, checked against the run's own output; the exit code rests on the run and verify. */
    record DemoOutcome(
            int runExit,
            int verifyExit,
            int evidenceExit,
            Path timeline,
            boolean stoppedByUser,
            ContractOutcome contract,
            boolean pausedByLocks,
            boolean resumeDecided,
            boolean breached,
            boolean paused,
            boolean cleared,
            boolean resumed,
            boolean approvalRecorded,
            boolean replayPaused,
            boolean replayRestored) {

        boolean complete() {
            return runExit == 0
                    && verifyExit == 0
                    && evidenceExit == 0
                    && contract != null
                    && contract.runExit() == 0
                    && contract.verifyExit() == 0;
        }

        String summary() {
            StringBuilder text = new StringBuilder("\nWhat happened:\n");
            check(text, approvalRecorded, "a decision recorded: confirm-app-version approved, with who and why");
            check(text, pausedByLocks, "a lock holder queued the ALTER and the application; lock-queue paused the run");
            check(text, resumeDecided, "once the queue cleared, resuming was decided and recorded with a reason");
            check(text, breached, "the drill paused replay; standby-lag breached its threshold");
            check(text, paused, "the run paused: no new batch while the standby fell behind");
            check(text, cleared && resumed, "replay resumed, the lag cleared, the run resumed by itself");
            check(text, runExit == 0, "the run finished: every step done (exit " + runExit + ")");
            check(text, verifyExit == 0, "its signed timeline verifies COMPLETE");
            check(text, evidenceExit == 0, "the evidence report is written: $DEMO/evidence/report.html");
            boolean acted = contract != null;
            check(text, acted && contract.oldWriterRow(), "last act: an old node filed a case without a priority");
            check(
                    text,
                    acted && contract.classified() && contract.onlySafeOptions(),
                    "VALIDATE failed: classified check-violation from the real state; only safe options offered");
            check(text, acted && contract.decided(), "what to do was decided and recorded with a reason");
            check(
                    text,
                    acted && contract.runExit() == 0,
                    "the contract run finished (exit " + (acted ? contract.runExit() : "-") + ")");
            check(text, acted && contract.verifyExit() == 0, "its signed timeline verifies COMPLETE");
            if (replayPaused && !replayRestored) {
                text.append("  note: the drill ended early; replay on the standby was resumed anyway\n");
            }
            return text.toString();
        }

        /** One item of the checklist, wrapped at the terminal's width under its own text. */
        private static void check(StringBuilder text, boolean held, String what) {
            String item = (held ? "  [x] " : "  [ ] NOT: ") + what;
            TerminalText.wrap(item, TerminalText.width(), "      ")
                    .forEach(line -> text.append(line).append('\n'));
        }
    }

    private String header(Sandbox sandbox, Path runbook, Path work, boolean fullScreen) {
        return """

                Lockstep demo: a real PostgreSQL %d primary and its streaming standby run on
                this machine, with a small application reading and writing. What happens
                now (two or three minutes):
                 1. lockstep runs %s: it adds
                    enforcement_case.priority and backfills the open cases in small batches.
                    The approval confirm-app-version is given in advance (--approve).
                 2. A DRILL holds a lock on enforcement_case: the ALTER and the application
                    queue behind it, and the stop criterion lock-queue pauses the run.
                    %s
                 3. A DRILL pauses WAL replay on the standby: standby-lag (over max_lag=%s
                    for 5s) pauses the backfill; replay resumes, the lag clears, the run
                    goes on by itself.
                 4. The signed timeline is verified and an evidence report is written.
                 5. The contract runbook makes priority NOT NULL, and meets a case an old
                    application node filed without one: VALIDATE fails, the failure is
                    classified, only the safe options are offered, and one is chosen.
                %s
                Watch it from a second terminal (paste these lines):
                  PRIMARY_URL=%s
                  STANDBY_URL=%s
                  DEMO=%s
                  %s watch --db $PRIMARY_URL --standby $STANDBY_URL

                """
                .formatted(
                        sandbox.pgMajor(),
                        relative(runbook),
                        fullScreen
                                ? """
                                The console names the blocker: press 2 for the locks, K to
                                    terminate it (with a reason), or wait for the drill to let
                                    go; then answer the question to resume (a reason again)."""
                                : "The drill lets go; resuming is decided and recorded with a reason.",
                        MAX_LAG,
                        fullScreen ? "In the console: ? lists the keys; q quits once the run is done.\n" : "",
                        sandbox.primaryUri(),
                        sandbox.standbyUri(),
                        work,
                        launcher());
    }

    private String explore(Sandbox sandbox, DemoOutcome outcome, Path work) {
        String lockstep = launcher();
        return """

                The sandbox stays up. Explore it (paste the variables first):
                  PRIMARY_URL=%s
                  STANDBY_URL=%s
                  DEMO=%s
                  psql $PRIMARY_URL
                      select status, priority, count(*) from enforcement_case group by 1, 2;
                  %s status --db $PRIMARY_URL
                  %s watch --db $PRIMARY_URL --standby $STANDBY_URL --plain
                  %s drill lock-holder --db $PRIMARY_URL --for 20s
                  %s drill pause-replay --standby $STANDBY_URL --for 20s
                  %s verify %s \\
                      --pubkey $DEMO/operator-key.pub
                  the report: $DEMO/evidence/report.html

                %s
                """
                .formatted(
                        sandbox.primaryUri(),
                        sandbox.standbyUri(),
                        work,
                        lockstep,
                        lockstep,
                        lockstep,
                        lockstep,
                        lockstep,
                        outcome.timeline() == null ? "TIMELINE" : shown(outcome.timeline(), work),
                        String.join(
                                "\n",
                                TerminalText.wrap(
                                        "Press Ctrl-C to stop; the sandbox, the timeline and the report are removed"
                                                + (keep == null
                                                        ? ".\n(keep a copy with --keep DIR)"
                                                        : " (a copy is in " + keep + ")."),
                                        TerminalText.width(),
                                        "")));
    }

    /** A path under the demo's directory as the header names it, so that commands fit the screen. */
    private static String shown(Path path, Path work) {
        return "$DEMO/" + work.relativize(path);
    }

    private static void inProcess(String... args) {
        StringWriter discarded = new StringWriter();
        StringWriter problems = new StringWriter();
        int exit = Main.run(new PrintWriter(discarded), new PrintWriter(problems), args);
        if (exit != 0) {
            throw new LockstepException(
                    ExitCode.INTERNAL_ERROR,
                    "demo: lockstep " + args[0] + " failed: "
                            + problems.toString().strip());
        }
    }

    private static void copyOut(Path work, Path target) throws IOException {
        Files.createDirectories(target);
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(work)) {
            // the private key stays behind: it is a throwaway, and keeping it would let anyone sign as the demo
            files.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().equals("operator-key"))
                    .forEach(sources::add);
        }
        for (Path source : sources) {
            Path copy = target.resolve(work.relativize(source));
            Files.createDirectories(copy.getParent());
            Files.copy(source, copy);
        }
    }

    private static boolean isEmptyDirectory(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** The demo runbook in the working directory's checkout, else in the checkout this build came from. */
    private static Path locate(String runbook) {
        Path here = Path.of(runbook);
        if (Files.isRegularFile(here)) {
            return here;
        }
        Optional<Path> code = codeLocation();
        for (Path dir = code.orElse(null); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(runbook);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw LockstepException.usage("cannot find " + runbook + " here or next to this build of lockstep; run"
                + " the demo from the Lockstep checkout (scripts/demo)");
    }

    private static String relative(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        Path absolute = path.toAbsolutePath().normalize();
        return absolute.startsWith(cwd) ? cwd.relativize(absolute).toString() : absolute.toString();
    }

    /**
     * The command as someone would type it: paths under the demo's directory as {@code $DEMO/...}, each option
     * next to its value, continued with a backslash so that it reads on an 80-column screen.
     */
    static String typedCommand(List<String> args, Path work) {
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String group = displayed(args.get(i), work);
            if (args.get(i).startsWith("--")
                    && i + 1 < args.size()
                    && !args.get(i + 1).startsWith("--")) {
                group = group + " " + displayed(args.get(++i), work);
            }
            groups.add(group);
        }
        StringBuilder command = new StringBuilder("$ lockstep");
        int column = command.length();
        for (String group : groups) {
            if (column + 1 + group.length() > TYPED_WIDTH && column > CONTINUATION.length()) {
                command.append(" \\\n").append(CONTINUATION);
                column = CONTINUATION.length();
            } else {
                command.append(' ');
                column++;
            }
            command.append(group);
            column += group.length();
        }
        return command.toString();
    }

    private static final int TYPED_WIDTH = 78;
    private static final String CONTINUATION = "    ";

    private static String displayed(String word, Path work) {
        String prefix = work + "/";
        return word.startsWith(prefix) ? "$DEMO/" + shellWord(word.substring(prefix.length())) : shellWord(word);
    }

    private static String shellWord(String word) {
        return word.matches("[A-Za-z0-9_./:=@,+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /** dist/lockstep relative to the working directory when that is the checkout, else its full path. */
    private static String launcher() {
        Optional<Path> jar = codeLocation().filter(Files::isRegularFile);
        if (jar.isEmpty()) {
            return "dist/lockstep";
        }
        Path script = jar.get().resolveSibling("lockstep");
        if (!Files.isRegularFile(script)) {
            return "dist/lockstep";
        }
        return relative(script);
    }

    private static Optional<Path> codeLocation() {
        try {
            var codeSource = DemoCommand.class.getProtectionDomain().getCodeSource();
            if (codeSource == null) {
                return Optional.empty();
            }
            return Optional.of(Path.of(codeSource.getLocation().toURI()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
