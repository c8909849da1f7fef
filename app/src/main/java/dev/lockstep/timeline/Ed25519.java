package dev.lockstep.timeline;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Ed25519 through the JDK (JEP 339), with the raw 32-byte forms the timeline format uses: a public key is
 * its 32 bytes, a private key is its 32-byte seed (RFC 8032).
 */
public final class Ed25519 {
    /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw key follows. */
    private static final byte[] SPKI_PREFIX = Hashing.fromHex("302a300506032b6570032100");
    /** DER prefix of an Ed25519 PKCS#8 PrivateKeyInfo without attributes (RFC 8410); the seed follows. */
    static final byte[] PKCS8_PREFIX = Hashing.fromHex("302e020100300506032b657004220420");

    public static final int KEY_BYTES = 32;

    private Ed25519() {}

    public static KeyPair generate() {
        return generate(new SecureRandom());
    }

    /**
     * The key pair of a given 32-byte seed. The JDK has no public API to derive the public key from a seed,
     * but its generator draws exactly the seed from the random source it is given, so a source that
     * returns the seed yields the pair (used for loading key files and for the documented test vector).
     */
    public static KeyPair fromSeed(byte[] seed) {
        if (seed.length != KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 seed has 32 bytes, not " + seed.length);
        }
        KeyPair pair = generate(new SeedRandom(seed));
        if (!Arrays.equals(seedOf(pair.getPrivate()), seed)) {
            throw new IllegalStateException("this JDK does not derive Ed25519 keys from the seed it draws");
        }
        return pair;
    }

    private static KeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519 (Java 15 or later required)", e);
        }
    }

    public static byte[] rawPublic(PublicKey key) {
        byte[] encoded = key.getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - KEY_BYTES, encoded.length);
    }

    static byte[] seedOf(PrivateKey key) {
        byte[] encoded = key.getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - KEY_BYTES, encoded.length);
    }

    public static PublicKey publicFromRaw(byte[] raw) {
        if (raw.length != KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, not " + raw.length);
        }
        byte[] encoded = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + KEY_BYTES);
        System.arraycopy(raw, 0, encoded, SPKI_PREFIX.length, KEY_BYTES);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(key);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    public static boolean verify(PublicKey key, byte[] message, byte[] signatureBytes) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initVerify(key);
            signature.update(message);
            return signature.verify(signatureBytes);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** "SHA256:" and the unpadded base64 of the SHA-256 of the raw public key (ssh-like, but of the raw key). */
    public static String fingerprint(byte[] rawPublic) {
        return "SHA256:" + java.util.Base64.getEncoder().withoutPadding().encodeToString(Hashing.sha256(rawPublic));
    }

    /** Hands out the fixed seed, then refuses: the generator must draw exactly one seed. */
    private static final class SeedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;
        private boolean used;

        SeedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (used || bytes.length != seed.length) {
                throw new IllegalStateException("unexpected draw from the seed source");
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
            used = true;
        }
    }
}
