package dev.lockstep.cli;

import dev.lockstep.ExitCode;
import dev.lockstep.timeline.Evidence;
import dev.lockstep.timeline.EvidenceBundle;
import dev.lockstep.timeline.OperatorPublicKey;
import dev.lockstep.timeline.Verdict;
import dev.lockstep.tui.plain.TerminalText;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lockstep evidence TIMELINE --out DIR [--pubkey FILE]}: the evidence bundle of a run. */
@Command(
        name = "evidence",
        header = "Write the evidence bundle of a run: JSON, Markdown and HTML.",
        description = {
            "Write the evidence bundle of a run: evidence.json, report.md, report.html (with charts), the"
                    + " runbook copy and the timeline. Without --pubkey the signatures are not checked.",
            "Exit 0 when written; 6 when written but the timeline is tampered."
        })
public final class EvidenceCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TIMELINE", description = "The run's .jsonl timeline.")
    Path timeline;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "New or empty directory.")
    Path out;

    @Option(names = "--pubkey", paramLabel = "FILE", description = "Operator public key to check signatures.")
    Path publicKey;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        OperatorPublicKey key = publicKey == null ? null : OperatorPublicKey.load(publicKey);
        Evidence evidence = EvidenceBundle.export(timeline, key, out);
        TerminalText.println(
                spec.commandLine().getOut(), "wrote " + out.resolve("report.html") + ", report.md, evidence.json");
        TerminalText.println(spec.commandLine().getOut(), evidence.timeline().summary());
        return evidence.timeline().verdict() == Verdict.TAMPERED ? ExitCode.TIMELINE_TAMPERED.code() : 0;
    }
}
