package io.warpstats.p2p.noise;

import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.proto.Proto;
import java.nio.charset.StandardCharsets;

/**
 * A host's Noise static key and its signed libp2p handshake payload, computed once per host
 * (the signature covers the static key only, so it is reused by every handshake).
 */
public final class NoiseIdentity {
    private final X25519.Pair staticKey = X25519.generate();
    private final byte[] payload;

    public NoiseIdentity(PrivateKey identity) {
        byte[] toSign = NoiseHandshake.concat(NoiseHandshake.SIG_PREFIX.getBytes(StandardCharsets.US_ASCII), staticKey.publicRaw());
        this.payload = new Proto.Writer().bytes(1, identity.publicKey().toProtobuf()).bytes(2, identity.sign(toSign)).toByteArray();
    }

    X25519.Pair staticKey() { return staticKey; }

    byte[] payload() { return payload; }
}
