package dev.lockstep.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lockstep.timeline.OperatorPublicKey;
import dev.lockstep.timeline.TimelineVerifier;
import dev.lockstep.timeline.VerifyResult;
import dev.lockstep.tui.plain.TerminalText;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lockstep verify TIMELINE --pubkey FILE [--json]}: offline verification with a public key. */
@Command(
        name = "verify",
        header = "Verify a timeline with the operator's public key.",
        description = {
            "Verify a timeline with the operator's public key, the whole run across every stop and resume:"
                    + " COMPLETE (exit 0), INCOMPLETE (exit 1: crash or truncation), UNSIGNED (exit 1: written"
                    + " with --unsigned), TAMPERED (exit 6: which line and why)."
        })
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TIMELINE", description = "The run's .jsonl timeline.")
    Path timeline;

    @Option(
            names = "--pubkey",
            required = true,
            paramLabel = "FILE",
            description = "Operator public key (FILE.pub from lockstep keygen).")
    Path publicKey;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        OperatorPublicKey key = OperatorPublicKey.load(publicKey);
        VerifyResult result = TimelineVerifier.verify(timeline, key);
        if (json) {
            spec.commandLine()
                    .getOut()
                    .println(new ObjectMapper()
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(result.toJson()));
        } else {
            TerminalText.println(spec.commandLine().getOut(), result.summary());
        }
        return result.exitCode();
    }
}
