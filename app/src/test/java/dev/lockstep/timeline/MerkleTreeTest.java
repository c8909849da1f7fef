package dev.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
    @Test
    void compactRangeRootEqualsTheRecursiveRfc6962DefinitionForEverySizeUpTo70() {
        MerkleTree tree = new MerkleTree();
        List<byte[]> leaves = new ArrayList<>();
        assertThat(Hashing.hex(tree.root())).isEqualTo(Hashing.hex(Hashing.sha256(new byte[0])));
        for (int n = 1; n <= 70; n++) {
            byte[] leaf = ("line " + n + "\n").getBytes(StandardCharsets.UTF_8);
            leaves.add(leaf);
            tree.append(leaf);

            assertThat(Hashing.hex(tree.root())).as("size %d", n).isEqualTo(Hashing.hex(mth(leaves)));
        }
    }

    /** RFC 6962 section 2.1, literally. */
    private static byte[] mth(List<byte[]> leaves) {
        if (leaves.size() == 1) {
            return Hashing.sha256(concat(new byte[] {0}, leaves.get(0)));
        }
        int k = Integer.highestOneBit(leaves.size() - 1);
        return Hashing.sha256(
                concat(new byte[] {1}, concat(mth(leaves.subList(0, k)), mth(leaves.subList(k, leaves.size())))));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
