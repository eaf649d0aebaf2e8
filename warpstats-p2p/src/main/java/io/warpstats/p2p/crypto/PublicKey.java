package io.warpstats.p2p.crypto;

import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.jspecify.annotations.Nullable;

/**
 * An Ed25519 public key, the only key type this node produces and accepts. Its libp2p
 * protobuf form is {@code PublicKey{Type=Ed25519(1), Data=32 bytes}} = {@code 08 01 12 20 ‖ key}.
 */
public record PublicKey(byte[] raw) {
    private static final byte[] PREFIX = {0x08, 0x01, 0x12, 0x20};

    public PublicKey {
        if (raw.length != 32) throw new IllegalArgumentException("Ed25519 public key must be 32 bytes");
        raw = raw.clone();
    }

    @Override
    public byte[] raw() { return raw.clone(); }

    /** The libp2p protobuf encoding (36 bytes). */
    public byte[] toProtobuf() {
        byte[] out = Arrays.copyOf(PREFIX, 36);
        System.arraycopy(raw, 0, out, 4, 32);
        return out;
    }

    /** Parses the libp2p protobuf encoding; only Ed25519 (type 1) is accepted. */
    public static PublicKey fromProtobuf(byte[] proto) {
        if (proto.length != 36 || !Arrays.equals(proto, 0, 4, PREFIX, 0, 4)) {
            throw new IllegalArgumentException("not an Ed25519 libp2p public key");
        }
        return new PublicKey(Arrays.copyOfRange(proto, 4, 36));
    }

    /**
     * Verifies an Ed25519 signature (BouncyCastle {@code rfc8032.Ed25519}, much faster than the JDK 17
     * provider: {@code CryptoBenchmark}); false (never an exception) for any malformed input.
     */
    public boolean verify(byte[] message, byte[] signature) {
        if (message == null || signature == null || signature.length != 64) return false;
        try {
            return Ed25519.verify(signature, 0, raw, 0, message, 0, message.length);
        } catch (RuntimeException e) {
            return false;
        }
    }

    static {
        Ed25519.precompute();
    }

    @Override
    public boolean equals(@Nullable Object o) { return o instanceof PublicKey k && Arrays.equals(k.raw, raw); }

    @Override
    public int hashCode() { return Arrays.hashCode(raw); }

    @Override
    public String toString() { return "PublicKey[" + java.util.HexFormat.of().formatHex(raw) + "]"; }
}
