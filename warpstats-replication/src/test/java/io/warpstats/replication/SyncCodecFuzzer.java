package io.warpstats.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of {@link SyncCodec#decode} with the default limits, compressed
 * {@code Blocks} included: a message or {@link MalformedFrameException} (never another exception,
 * never more memory than the limits allow); an accepted message survives
 * {@code decode(encode(m))}, plain and compressed.
 */
class SyncCodecFuzzer {
    private static final SyncCodec.Limits LIMITS = SyncCodec.Limits.of(SyncParams.defaults());

    @FuzzTest(maxDuration = "3s")
    void decode(byte[] frame) {
        SyncMessage m;
        try {
            m = SyncCodec.decode(frame, LIMITS);
        } catch (MalformedFrameException rejected) {
            return;
        }
        assertThat(SyncCodec.decode(SyncCodec.encode(m), LIMITS)).isEqualTo(m);
        assertThat(SyncCodec.decode(SyncCodec.encode(m, 0, 1), LIMITS)).isEqualTo(m);
    }
}
