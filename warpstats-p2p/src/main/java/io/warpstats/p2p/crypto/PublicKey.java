package io.warpstats.p2p.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;

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

    /** Verifies an Ed25519 signature; false (never an exception) for any malformed input. */
    public boolean verify(byte[] message, byte[] signature) {
        if (signature == null || signature.length != 64) return false;
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(toJdkKey());
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    java.security.PublicKey toJdkKey() throws GeneralSecurityException {
        // RFC 8032 encoding: little-endian y with the sign of x in the top bit of the last byte.
        byte[] le = raw.clone();
        boolean xOdd = (le[31] & 0x80) != 0;
        le[31] &= 0x7F;
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) be[i] = le[31 - i];
        EdECPoint point = new EdECPoint(xOdd, new BigInteger(1, be));
        return KeyFactory.getInstance("Ed25519").generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
    }

    @Override
    public boolean equals(Object o) { return o instanceof PublicKey k && Arrays.equals(k.raw, raw); }

    @Override
    public int hashCode() { return Arrays.hashCode(raw); }

    @Override
    public String toString() { return "PublicKey[" + java.util.HexFormat.of().formatHex(raw) + "]"; }
}
