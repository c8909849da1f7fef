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
        return command(List.of(), args);
    }

    /** The same with JVM options (system properties for the test-only crash points, for example). */
    public static List<String> command(List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.lockstep.cli.Main"));
        command.addAll(args);
        return command;
    }
}
