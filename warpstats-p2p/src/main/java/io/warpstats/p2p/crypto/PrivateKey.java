package io.warpstats.p2p.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;

/**
 * An Ed25519 private key held as its 32-byte seed (RFC 8032), with the matching public key.
 * Signing uses the JDK's Ed25519 provider.
 */
public final class PrivateKey {
    private final byte[] seed;
    private final PublicKey publicKey;
    private final java.security.PrivateKey jdkKey;

    private PrivateKey(byte[] seed) {
        if (seed.length != 32) throw new IllegalArgumentException("Ed25519 seed must be 32 bytes");
        this.seed = seed.clone();
        try {
            this.jdkKey = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, this.seed));
            this.publicKey = derivePublic(this.seed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 unavailable", e);
        }
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
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(jdkKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** The JDK derives the public key only through its generator; feed it the seed as its randomness. */
    private static PublicKey derivePublic(byte[] seed) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        g.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) { System.arraycopy(seed, 0, bytes, 0, bytes.length); }
        });
        EdECPublicKey pub = (EdECPublicKey) g.generateKeyPair().getPublic();
        byte[] y = pub.getPoint().getY().toByteArray(); // big-endian, maybe with a sign byte
        byte[] le = new byte[32];
        for (int i = 0; i < 32 && i < y.length; i++) le[i] = y[y.length - 1 - i];
        if (pub.getPoint().isXOdd()) le[31] |= (byte) 0x80;
        return new PublicKey(le);
    }

    @Override
    public String toString() { return "PrivateKey[" + publicKey + "]"; }

    @Override
    public boolean equals(Object o) { return o instanceof PrivateKey k && Arrays.equals(k.seed, seed); }

    @Override
    public int hashCode() { return Arrays.hashCode(seed); }
}
