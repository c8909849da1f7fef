package dev.lockstep.timeline;

import dev.lockstep.LockstepException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * The public half of an operator key: what an auditor holds. Its file is one line,
 * {@code lockstep-ed25519 <base64 of the 32 raw bytes> <fingerprint>}; a PEM SubjectPublicKeyInfo
 * ({@code openssl pkey -pubout}) is accepted too.
 */
public record OperatorPublicKey(byte[] raw) {
    static final String FILE_PREFIX = "lockstep-ed25519";

    public OperatorPublicKey {
        if (raw.length != Ed25519.KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, not " + raw.length);
        }
        raw = raw.clone();
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }

    public String base64() {
        return Hashing.base64(raw);
    }

    public String fingerprint() {
        return Ed25519.fingerprint(raw);
    }

    PublicKey jdkKey() {
        return Ed25519.publicFromRaw(raw);
    }

    String fileText() {
        return FILE_PREFIX + " " + base64() + " " + fingerprint() + "\n";
    }

    static Path publicFileOf(Path privateFile) {
        return privateFile.resolveSibling(privateFile.getFileName() + ".pub");
    }

    public static OperatorPublicKey load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw LockstepException.usage("public key " + file + " does not exist");
        } catch (IOException e) {
            throw LockstepException.usage("cannot read public key " + file + ": " + e.getMessage());
        }
        try {
            if (text.startsWith(FILE_PREFIX + " ")) {
                String[] fields = text.split("\\s+");
                return new OperatorPublicKey(Base64.getDecoder().decode(fields[1]));
            }
            if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
                String body = text.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "");
                byte[] der = Base64.getMimeDecoder().decode(body);
                return new OperatorPublicKey(Ed25519.rawPublic(
                        Ed25519.publicFromRaw(Arrays.copyOfRange(der, der.length - Ed25519.KEY_BYTES, der.length))));
            }
        } catch (IllegalArgumentException e) {
            throw LockstepException.usage(file + " is not an Ed25519 public key: " + e.getMessage());
        }
        throw LockstepException.usage(
                file + " is not a public key: expected a 'lockstep-ed25519 ...' line (written by lockstep keygen)");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OperatorPublicKey that && Arrays.equals(raw, that.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
        return fingerprint();
    }
}
