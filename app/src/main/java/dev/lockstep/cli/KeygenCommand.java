package dev.lockstep.cli;

import dev.lockstep.timeline.OperatorKey;
import dev.lockstep.tui.plain.TerminalText;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lockstep keygen --out FILE}: a new Ed25519 operator key pair. */
@Command(
        name = "keygen",
        header = "Write a new Ed25519 operator key pair.",
        description = {
            "Write a new Ed25519 operator key pair: FILE (private, mode 0600) and FILE.pub (public, with its"
                    + " fingerprint). Refuses to overwrite.",
            "Give FILE.pub to auditors: 'lockstep verify TIMELINE --pubkey FILE.pub'."
        })
public final class KeygenCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Private key file to create.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OperatorKey key = OperatorKey.generate();
        key.save(out);
        TerminalText.println(spec.commandLine().getOut(), "wrote " + out + " (private, mode 0600) and " + out + ".pub");
        spec.commandLine().getOut().println(key.fingerprint());
        return 0;
    }
}
