package dev.lockstep.cli;

import dev.lockstep.engine.LockstepSchema;
import picocli.CommandLine.Option;

/**
 * {@code --schema NAME}: where Lockstep keeps its runs, step ledger and checkpoints, for every command that
 * reads or writes them ({@code run}, {@code status}, {@code approve}); one declaration, so that they agree.
 * Use with {@code @Mixin SchemaOption schema;}.
 */
final class SchemaOption {

    @Option(
            names = "--schema",
            paramLabel = "NAME",
            defaultValue = LockstepSchema.DEFAULT_NAME,
            description = "The schema Lockstep keeps runs, step ledger and checkpoints in (default: ${DEFAULT-VALUE}).")
    String name;

    /** The schema named; a name that is not a plain identifier is a usage error. */
    LockstepSchema schema() {
        return new LockstepSchema(name);
    }
}
