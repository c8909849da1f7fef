package dev.lockstep.timeline;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's long-term Ed25519 key. It only certifies each run's session key; an auditor needs just
 * its public half ({@link OperatorPublicKey}). Stored as a PEM PKCS#8 file, mode 0600, like an ssh key.
 */
public final class OperatorKey {
    static final String DEFAULT_FILE_NAME = "operator.key";

    private final KeyPair pair;
    private final OperatorPublicKey publicKey;

    private OperatorKey(KeyPair pair) {
        this.pair = pair;
        this.publicKey = new OperatorPublicKey(Ed25519.rawPublic(pair.getPublic()));
    }

    public static OperatorKey generate() {
        return new OperatorKey(Ed25519.generate());
    }

    /** The key of a fixed seed: for the documented test vector, never for real use. */
    public static OperatorKey fromSeed(byte[] seed) {
        return new OperatorKey(Ed25519.fromSeed(seed));
    }

    public OperatorPublicKey publicKey() {
        return publicKey;
    }

    public String fingerprint() {
        return publicKey.fingerprint();
    }

    byte[] sign(byte[] message) {
        return Ed25519.sign(pair.getPrivate(), message);
    }

    /**
     * Writes the private key to {@code file} (created 0600, refusing to overwrite) and the public key to
     * {@code file.pub}; missing parent directories are created 0700.
     */
    public void save(Path file) {
        Path publicFile = OperatorPublicKey.publicFileOf(file);
        for (Path target : new Path[] {file, publicFile}) {
            if (Files.exists(target)) {
                throw LockstepException.usage(target + " already exists: refusing to overwrite a key");
            }
        }
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'})
                        .encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        try {
            OwnerOnlyFiles.createDirectories(file.toAbsolutePath().getParent());
            OwnerOnlyFiles.writeNew(file, pem.getBytes(StandardCharsets.US_ASCII), true);
            OwnerOnlyFiles.writeNew(publicFile, publicKey.fileText().getBytes(StandardCharsets.US_ASCII), false);
        } catch (FileAlreadyExistsException e) {
            throw LockstepException.usage(e.getFile() + " already exists: refusing to overwrite a key");
        } catch (IOException e) {
            throw LockstepException.usage("cannot write key " + file + ": " + e.getMessage());
        }
    }

    /** Loads a private key file, refusing one that the group or others may read, write or execute. */
    public static OperatorKey load(Path file) {
        try {
            Set<PosixFilePermission> loose = OwnerOnlyFiles.groupOrOtherPermissions(file);
            if (!loose.isEmpty()) {
                throw LockstepException.usage("UNPROTECTED PRIVATE KEY FILE: " + file + " has mode "
                        + OwnerOnlyFiles.octalMode(file) + " ("
                        + loose.stream().map(p -> p.name().toLowerCase()).collect(Collectors.joining(", "))
                        + "); a private key must be accessible only by its owner: chmod 600 " + file);
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            return new OperatorKey(Ed25519.fromSeed(seedOfPem(text, file)));
        } catch (NoSuchFileException e) {
            throw LockstepException.usage("operator key " + file + " does not exist");
        } catch (IOException e) {
            throw LockstepException.usage("cannot read operator key " + file + ": " + e.getMessage());
        }
    }

    private static byte[] seedOfPem(String text, Path file) {
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw LockstepException.usage(file + " is not a PEM private key (lockstep keygen writes one)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw LockstepException.usage(file + " is not a PEM private key: bad base64");
        }
        byte[] prefix = Ed25519.PKCS8_PREFIX;
        if (der.length != prefix.length + Ed25519.KEY_BYTES
                || !Arrays.equals(Arrays.copyOf(der, prefix.length), prefix)) {
            throw LockstepException.usage(file + " is not an Ed25519 private key");
        }
        return Arrays.copyOfRange(der, prefix.length, der.length);
    }

    /**
     * Finds the operator key: {@code --key} if given, else {@code LOCKSTEP_KEY}, else the default file
     * under the user's config directory. Says how to make one when there is none.
     */
    public static OperatorKey locate(Path explicit, Map<String, String> env) {
        return load(locateFile(explicit, env));
    }

    /** Where the key {@link #locate} would load lives: {@code --key}, else LOCKSTEP_KEY, else the default path. */
    public static Path locateFile(Path explicit, Map<String, String> env) {
        if (explicit != null) {
            return explicit;
        }
        String fromEnv = env.get("LOCKSTEP_KEY");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        Path fallback = defaultPath(env);
        if (!Files.exists(fallback)) {
            throw new LockstepException(
                    ExitCode.USAGE,
                    "no operator key: --key is not given, LOCKSTEP_KEY is not set and " + fallback
                            + " does not exist; make one with 'lockstep keygen --out " + fallback
                            + "' or run with --unsigned");
        }
        return fallback;
    }

    /** {@code $XDG_CONFIG_HOME/lockstep/operator.key}, else {@code ~/.config/lockstep/operator.key}. */
    public static Path defaultPath(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return config.resolve("lockstep").resolve(DEFAULT_FILE_NAME);
    }
}
