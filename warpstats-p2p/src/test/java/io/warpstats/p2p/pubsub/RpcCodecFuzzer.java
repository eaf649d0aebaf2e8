package io.warpstats.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of {@link RpcCodec#decode} with the default limits: a value or
 * {@link MalformedRpcException}; an accepted RPC re-encodes to bytes that decode to an RPC with the
 * same encoding (the encoder is deterministic, the decoder loses nothing it keeps).
 */
class RpcCodecFuzzer {
    private static final RpcCodec.Limits LIMITS = RpcCodec.Limits.of(GossipParams.defaults());

    @FuzzTest(maxDuration = "3s")
    void decode(byte[] bytes) throws MalformedRpcException {
        Rpc rpc;
        try {
            rpc = RpcCodec.decode(bytes, LIMITS);
        } catch (MalformedRpcException rejected) {
            return;
        }
        byte[] encoded = rpc.encode();
        assertThat(RpcCodec.decode(encoded, LIMITS).encode()).isEqualTo(encoded);
    }
}
