package dev.lockstep.cli;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.runbook.Problem;
import dev.lockstep.runbook.RunbookLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lockstep validate FILE...}: every problem of every file, as FILE:LINE:COL: message. */
@Command(
        name = "validate",
        header = "Check runbooks without touching a database.",
        description = {
            "Check runbooks without touching a database: prints 'FILE: ok' for each valid file and every"
                    + " problem as FILE:LINE:COL: message on stderr.",
            "Exit 0 when all are valid, 3 when any is invalid, 2 when a file cannot be read (and none is invalid)."
        })
final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Runbook files (YAML).")
    List<Path> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ExitCode worst = ExitCode.DONE;
        for (Path file : files) {
            try {
                RunbookLoader.Result result = RunbookLoader.check(file);
                if (result.valid()) {
                    out.println(file + ": ok");
                } else {
                    result.problems().stream().map(Problem::toString).forEach(err::println);
                    worst = ExitCode.INVALID_RUNBOOK;
                }
            } catch (LockstepException unreadable) {
                err.println("lockstep: " + unreadable.getMessage());
                if (worst == ExitCode.DONE) {
                    worst = unreadable.exitCode();
                }
            }
        }
        out.flush();
        err.flush();
        return worst.code();
    }
}
