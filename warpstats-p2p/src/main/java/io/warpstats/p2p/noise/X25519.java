package io.warpstats.p2p.noise;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * X25519 (RFC 7748) with raw 32-byte little-endian keys, on BouncyCastle's
 * {@code org.bouncycastle.math.ec.rfc7748.X25519}: agreement ~2.5×, key generation ~4.7× the JDK 17 "XDH"
 * provider ({@code CryptoBenchmark}); key agreement is most of the CPU of a connection setup.
 */
final class X25519 {
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        org.bouncycastle.math.ec.rfc7748.X25519.precompute();
    }

    private X25519() {}

    /** A key pair: the (clamped on use) private scalar and the raw public key. */
    record Pair(byte[] privateRaw, byte[] publicRaw) {}

    static Pair generate() {
        byte[] k = new byte[32];
        org.bouncycastle.math.ec.rfc7748.X25519.generatePrivateKey(RANDOM, k);
        byte[] pub = new byte[32];
        org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(k, 0, pub, 0);
        return new Pair(k, pub);
    }

    /** The shared secret; fails for a low-order remote key (all-zero result). */
    static byte[] dh(Pair local, byte[] remoteRaw) throws GeneralSecurityException {
        if (remoteRaw.length != 32) throw new GeneralSecurityException("X25519 key must be 32 bytes");
        byte[] s = new byte[32];
        // masks the top bit of u (RFC 7748) and returns false for an all-zero secret
        if (!org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(local.privateRaw(), 0, remoteRaw, 0, s, 0)) {
            throw new GeneralSecurityException("low-order X25519 key");
        }
        return s;
    }
}
