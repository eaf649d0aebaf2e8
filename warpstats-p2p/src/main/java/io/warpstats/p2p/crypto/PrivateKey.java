package io.warpstats.p2p.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.jspecify.annotations.Nullable;

/**
 * An Ed25519 private key held as its 32-byte seed (RFC 8032), with the matching public key.
 * Signing uses BouncyCastle's {@code rfc8032.Ed25519} with the public key passed in (not
 * re-derived per signature), much faster than the JDK 17 provider ({@code CryptoBenchmark}).
 */
public final class PrivateKey {
    private final byte[] seed;
    private final byte[] publicRaw;
    private final PublicKey publicKey;

    static {
        Ed25519.precompute();
    }

    private PrivateKey(byte[] seed) {
        if (seed.length != 32) throw new IllegalArgumentException("Ed25519 seed must be 32 bytes");
        this.seed = seed.clone();
        this.publicRaw = new byte[32];
        Ed25519.generatePublicKey(this.seed, 0, publicRaw, 0);
        this.publicKey = new PublicKey(publicRaw);
    }

    /** The key of a 32-byte seed. */
    public static PrivateKey fromSeed(byte[] seed) { return new PrivateKey(seed); }

    /** A fresh random key. */
    public static PrivateKey generate() {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        return new PrivateKey(seed);
    }

    /** The 32-byte seed (a copy); keep it secret. */
    public byte[] seed() { return seed.clone(); }

    public PublicKey publicKey() { return publicKey; }

    /** An Ed25519 signature (64 bytes) of {@code message}. */
    public byte[] sign(byte[] message) {
        byte[] sig = new byte[64];
        Ed25519.sign(seed, 0, publicRaw, 0, message, 0, message.length, sig, 0);
        return sig;
    }

    @Override
    public String toString() { return "PrivateKey[" + publicKey + "]"; }

    @Override
    public boolean equals(@Nullable Object o) { return o instanceof PrivateKey k && Arrays.equals(k.seed, seed); }

    @Override
    public int hashCode() { return Arrays.hashCode(seed); }
}
