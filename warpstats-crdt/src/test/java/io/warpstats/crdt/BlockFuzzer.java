package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.warpstats.multiformats.Cid;

/**
 * Coverage-guided fuzzing of {@link Block#decode} and {@link Block#decodeVerified} (a block as it
 * comes from a peer): a block or {@link IllegalArgumentException}; an accepted block has the CID
 * of its bytes, and its canonical form decodes to the same links and delta.
 */
class BlockFuzzer {
    @FuzzTest(maxDuration = "3s")
    void decode(byte[] bytes) {
        Block b;
        try {
            b = Block.decode(bytes);
        } catch (IllegalArgumentException rejected) {
            return;
        }
        Cid cid = Cid.ofDagPb(bytes);
        assertThat(b.cid()).isEqualTo(cid);
        assertThat(Block.decodeVerified(cid, bytes)).isEqualTo(b);
        Block again = Block.decode(b.toBytes());
        assertThat(again.links()).isEqualTo(b.links());
        assertThat(again.delta()).isEqualTo(b.delta());
    }
}
