package io.warpstats.p2p.noise;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/** X25519 on the JDK's "XDH" provider, with raw 32-byte little-endian public keys. */
final class X25519 {
    private X25519() {}

    /** A key pair and its raw public key. */
    record Pair(KeyPair keyPair, byte[] publicRaw) {}

    static Pair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("XDH");
            g.initialize(NamedParameterSpec.X25519);
            KeyPair kp = g.generateKeyPair();
            return new Pair(kp, toRaw(((XECPublicKey) kp.getPublic()).getU()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 unavailable", e);
        }
    }

    /** The shared secret; fails for a low-order remote key (all-zero result). */
    static byte[] dh(Pair local, byte[] remoteRaw) throws GeneralSecurityException {
        if (remoteRaw.length != 32) throw new GeneralSecurityException("X25519 key must be 32 bytes");
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) be[i] = remoteRaw[31 - i];
        be[0] &= 0x7F; // RFC 7748: mask the top bit
        java.security.PublicKey pub = KeyFactory.getInstance("XDH")
                .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
        KeyAgreement ka = KeyAgreement.getInstance("XDH");
        ka.init(local.keyPair().getPrivate());
        ka.doPhase(pub, true);
        byte[] s = ka.generateSecret();
        int acc = 0;
        for (byte b : s) acc |= b;
        if (acc == 0) throw new GeneralSecurityException("low-order X25519 key");
        return s;
    }

    private static byte[] toRaw(BigInteger u) {
        byte[] be = u.toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < 32 && i < be.length; i++) le[i] = be[be.length - 1 - i];
        return le;
    }
}
