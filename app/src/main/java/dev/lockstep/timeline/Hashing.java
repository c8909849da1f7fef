package dev.lockstep.timeline;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/** SHA-256 and the two text encodings the format uses (lowercase hex, standard base64 with padding). */
final class Hashing {
    private static final HexFormat HEX = HexFormat.of();

    private Hashing() {}

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            // Every Java SE runtime must provide SHA-256.
            throw new IllegalStateException(impossible);
        }
    }

    public static byte[] sha256(byte[] bytes) {
        return sha256().digest(bytes);
    }

    public static byte[] sha256(byte[] bytes, int offset, int length) {
        MessageDigest digest = sha256();
        digest.update(bytes, offset, length);
        return digest.digest();
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    public static byte[] fromHex(String hex) {
        return HEX.parseHex(hex);
    }

    public static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Decodes standard base64 with padding, refusing any text that is not exactly how the bytes encode
     * (non-zero unused bits, missing padding): a version 2 checkpoint's signature does not cover its own
     * text, so a second spelling of the same signature would be a changed byte that still verifies.
     */
    public static byte[] fromBase64(String text) {
        byte[] bytes = Base64.getDecoder().decode(text);
        if (!base64(bytes).equals(text)) {
            throw new IllegalArgumentException("not the canonical base64 of its bytes");
        }
        return bytes;
    }
}
