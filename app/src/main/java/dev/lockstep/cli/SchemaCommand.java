package dev.lockstep.cli;

import dev.lockstep.runbook.RunbookSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lockstep schema}: the JSON Schema of the runbook format, for YAML editors. */
@Command(
        name = "schema",
        header = "Print the JSON Schema of the runbook format, for editors.",
        description = {
            "Print the JSON Schema (draft 2020-12) of the runbook format, for editors:",
            "  lockstep schema > lockstep-runbook.schema.json",
            "then add '# yaml-language-server: $schema=lockstep-runbook.schema.json' at the top of a runbook."
        })
final class SchemaCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(RunbookSchema.json());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
