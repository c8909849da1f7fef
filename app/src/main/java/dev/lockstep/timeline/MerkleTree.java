package dev.lockstep.timeline;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only RFC 6962 Merkle tree hash (leaf = SHA-256(0x00 || line), node = SHA-256(0x01 || left ||
 * right)) kept as a compact range: only the roots of the perfect subtrees that make up the current size,
 * so memory is O(log n) and the writer and the verifier never hold the whole file.
 *
 * <p>Folding those perfect-subtree roots from right to left gives exactly RFC 6962's MTH, because the
 * RFC splits a tree of n leaves at the largest power of two below n, which is the leftmost perfect
 * subtree of n's binary decomposition.
 */
final class MerkleTree {
    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;

    /** Roots of perfect subtrees, leftmost (largest) first; heights strictly decrease. */
    private final List<byte[]> subtreeRoots = new ArrayList<>();

    private final List<Integer> subtreeHeights = new ArrayList<>();
    private final MessageDigest digest = Hashing.sha256();
    private long size;

    public long size() {
        return size;
    }

    /** Adds one leaf: the exact bytes of a line including its newline. */
    public void append(byte[] line, int offset, int length) {
        digest.update(LEAF_PREFIX);
        digest.update(line, offset, length);
        byte[] node = digest.digest();
        int height = 0;
        while (!subtreeHeights.isEmpty() && subtreeHeights.get(subtreeHeights.size() - 1) == height) {
            byte[] left = subtreeRoots.remove(subtreeRoots.size() - 1);
            subtreeHeights.remove(subtreeHeights.size() - 1);
            node = nodeHash(left, node);
            height++;
        }
        subtreeRoots.add(node);
        subtreeHeights.add(height);
        size++;
    }

    public void append(byte[] line) {
        append(line, 0, line.length);
    }

    /** The RFC 6962 root over all leaves so far; SHA-256 of the empty string for an empty tree. */
    public byte[] root() {
        if (subtreeRoots.isEmpty()) {
            return Hashing.sha256(new byte[0]);
        }
        byte[] root = subtreeRoots.get(subtreeRoots.size() - 1);
        for (int i = subtreeRoots.size() - 2; i >= 0; i--) {
            root = nodeHash(subtreeRoots.get(i), root);
        }
        return root;
    }

    private byte[] nodeHash(byte[] left, byte[] right) {
        digest.update(NODE_PREFIX);
        digest.update(left);
        digest.update(right);
        return digest.digest();
    }
}
