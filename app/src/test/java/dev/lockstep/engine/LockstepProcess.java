package dev.lockstep.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts the real command line as its own JVM (the test classpath), as an operator's shell would. */
public final class LockstepProcess {

    private LockstepProcess() {}

    /** {@code lockstep ARGS...} with stdout and stderr appended to {@code log}. */
    static Process start(Path log, List<String> args) throws IOException {
        return new ProcessBuilder(command(args))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** The command line of {@code lockstep ARGS...}: this JVM's java on the test classpath. */
    public static List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.lockstep.cli.Main"));
        command.addAll(args);
        return command;
    }
}
