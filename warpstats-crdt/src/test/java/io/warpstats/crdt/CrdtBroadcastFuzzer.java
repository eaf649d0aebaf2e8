package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of {@link CrdtBroadcast#parse} (every pubsub announcement): a broadcast
 * or {@link IllegalArgumentException}, within {@link CrdtBroadcast#MAX_HEADS} heads and
 * {@link CrdtBroadcast#MAX_EAGER_BLOCKS} eager blocks; an accepted broadcast re-serializes to bytes
 * that parse to a broadcast with the same serialization.
 */
class CrdtBroadcastFuzzer {
    @FuzzTest(maxDuration = "3s")
    void parse(byte[] bytes) {
        CrdtBroadcast b;
        try {
            b = CrdtBroadcast.parse(bytes);
        } catch (IllegalArgumentException rejected) {
            return;
        }
        assertThat(b.heads()).hasSizeLessThanOrEqualTo(CrdtBroadcast.MAX_HEADS);
        assertThat(b.blocks()).hasSizeLessThanOrEqualTo(CrdtBroadcast.MAX_EAGER_BLOCKS);
        byte[] encoded = b.toBytes();
        CrdtBroadcast again = CrdtBroadcast.parse(encoded);
        assertThat(again.heads()).isEqualTo(b.heads());
        assertThat(again.toBytes()).isEqualTo(encoded);
    }
}
