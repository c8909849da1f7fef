package dev.lockstep.runbook;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.runbook.internal.RunbookBuilder;
import dev.lockstep.runbook.internal.YamlReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads runbook files. Every problem is reported as {@code FILE:LINE:COL: message} at the offending key or
 * value, all of them at once; hostile YAML (alias bombs, deep nesting, huge values or files) is refused
 * quickly with a message.
 *
 * <p>Exit codes: a file that cannot be read (missing, a directory, no permission) is a usage error (2),
 * like any other bad command-line argument; a file that can be read but is not a valid runbook (empty
 * included) is an invalid runbook (3).
 */
public final class RunbookLoader {
    /** Bytes in a runbook file; larger files are refused unread. */
    public static final long MAX_FILE_BYTES = YamlReader.MAX_CODE_POINTS;

    private RunbookLoader() {}

    /** What {@link #check} found: the runbook when valid, and every problem otherwise. */
    public record Result(Optional<Runbook> runbook, List<Problem> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /**
     * Loads and validates a runbook, unbound ({@code ${name}} references stay {@link Value.Ref}s).
     *
     * @throws InvalidRunbookException (exit 3) with every problem when it is not a valid runbook
     * @throws LockstepException (exit 2) when the file cannot be read
     */
    public static Runbook load(Path path) {
        Result result = check(path);
        return result.runbook().orElseThrow(() -> new InvalidRunbookException(result.problems()));
    }

    /**
     * Loads, validates and binds a runbook in one go ({@code lockstep run FILE --param K=V}).
     *
     * @throws InvalidRunbookException with every problem, parameter problems included
     */
    public static Runbook load(Path path, Map<String, String> parameterValues) {
        return bind(load(path), parameterValues);
    }

    /**
     * Validates without throwing for an invalid runbook: {@code lockstep validate}.
     *
     * @throws LockstepException (exit 2) when the file cannot be read
     */
    public static Result check(Path path) {
        String file = path.toString();
        Optional<byte[]> read = read(path);
        if (read.isEmpty()) {
            return new Result(
                    Optional.empty(),
                    List.of(new Problem(
                            file,
                            Position.START,
                            "file is too large: a runbook has at most " + MAX_FILE_BYTES + " bytes")));
        }
        byte[] bytes = read.get();
        Optional<String> text = decode(bytes);
        if (text.isEmpty()) {
            return new Result(
                    Optional.empty(),
                    List.of(new Problem(file, Position.START, "not UTF-8 text: a runbook is a UTF-8 YAML file")));
        }
        RunbookBuilder.Built built = RunbookBuilder.build(file, path, text.get(), sha256(bytes), null);
        return new Result(built.runbook(), built.problems());
    }

    /**
     * The runbook with every {@code ${name}} resolved: {@code values} (from {@code --param name=value}) win
     * over declared defaults. The result has only {@link Value.Literal}s, SQL with the values substituted
     * as given, and {@link Runbook#bindings()} holding the typed values.
     *
     * @throws InvalidRunbookException naming each required parameter without a value, each value that does
     *     not parse as its parameter's type (secret values are not shown) and each unknown name
     */
    public static Runbook bind(Runbook runbook, Map<String, String> values) {
        RunbookBuilder.Built built = RunbookBuilder.build(
                runbook.sourcePath().toString(),
                runbook.sourcePath(),
                runbook.source(),
                runbook.sha256(),
                Map.copyOf(values));
        return built.runbook().orElseThrow(() -> new InvalidRunbookException(built.problems()));
    }

    /** The file's bytes, or empty when it is too large to be a runbook. */
    private static Optional<byte[]> read(Path path) {
        try {
            if (Files.isDirectory(path)) {
                throw LockstepException.usage(path + ": is a directory, not a runbook file");
            }
            long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                return Optional.empty();
            }
            return Optional.of(Files.readAllBytes(path));
        } catch (NoSuchFileException missing) {
            throw LockstepException.usage(path + ": no such file");
        } catch (AccessDeniedException denied) {
            throw LockstepException.usage(path + ": permission denied");
        } catch (IOException unreadable) {
            throw new LockstepException(ExitCode.USAGE, path + ": cannot read: " + unreadable.getMessage());
        }
    }

    private static Optional<String> decode(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return Optional.of(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (CharacterCodingException notUtf8) {
            return Optional.empty();
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java runtime has SHA-256", impossible);
        }
    }
}
