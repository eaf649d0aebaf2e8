package io.warpstats.p2p.noise;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the Noise transport's ChaCha20-Poly1305 (RFC 8439) comes from: BoringSSL through Conscrypt
 * when its native library loads on this platform, else the JDK's own cipher.
 *
 * <p>Why: JDK 17's ChaCha20-Poly1305 is pure Java without intrinsics (~250 MiB/s per core here);
 * Conscrypt's is native with SIMD (~1,900 MiB/s, JMH {@code CryptoBenchmark}), and the AEAD is most
 * of the cost of every byte a connection carries. The choice is made once per JVM and checked by a
 * self-test: both ciphers must produce the same ciphertext and tag for the same input, so a broken
 * or incompatible native provider is never used (the fallback is logged). The result is the same on
 * the wire either way.
 */
public final class Aead {
    private static final Logger log = LoggerFactory.getLogger(Aead.class);
    private static final Provider NATIVE = loadNative();

    private Aead() {}

    /** The provider in use: {@code "Conscrypt (BoringSSL)"} or {@code "JDK"}. */
    public static String provider() {
        return NATIVE != null ? "Conscrypt (BoringSSL)" : "JDK";
    }

    /** Whether the native (Conscrypt) cipher is in use. */
    static boolean isNative() {
        return NATIVE != null;
    }

    /** A new ChaCha20-Poly1305 cipher from the chosen provider. */
    static Cipher newCipher() throws GeneralSecurityException {
        return NATIVE != null ? Cipher.getInstance("ChaCha20/Poly1305/NoPadding", NATIVE) : Cipher.getInstance("ChaCha20-Poly1305");
    }

    private static Provider loadNative() {
        if (Boolean.getBoolean("warpstats.noise.jdkCipher")) {
            log.info("Noise AEAD: JDK ChaCha20-Poly1305 (warpstats.noise.jdkCipher set)");
            return null;
        }
        try {
            Provider p = new org.conscrypt.OpenSSLProvider();
            byte[] key = new byte[32], iv = new byte[12], msg = new byte[1000];
            for (int i = 0; i < key.length; i++) key[i] = (byte) (i * 7 + 1);
            for (int i = 0; i < msg.length; i++) msg[i] = (byte) i;
            iv[4] = 9;
            SecretKeySpec k = new SecretKeySpec(key, "ChaCha20");
            Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
            jdk.init(Cipher.ENCRYPT_MODE, k, new IvParameterSpec(iv));
            jdk.updateAAD(iv);
            byte[] expected = jdk.doFinal(msg);
            Cipher nat = Cipher.getInstance("ChaCha20/Poly1305/NoPadding", p);
            nat.init(Cipher.ENCRYPT_MODE, k, new IvParameterSpec(iv));
            nat.updateAAD(iv);
            byte[] got = nat.doFinal(msg);
            nat.init(Cipher.DECRYPT_MODE, k, new IvParameterSpec(iv));
            nat.updateAAD(iv);
            if (!Arrays.equals(expected, got) || !Arrays.equals(msg, nat.doFinal(got))) {
                log.warn("Noise AEAD: Conscrypt failed its self-test; using the JDK's ChaCha20-Poly1305");
                return null;
            }
            log.debug("Noise AEAD: Conscrypt (BoringSSL) ChaCha20-Poly1305");
            return p;
        } catch (Exception | LinkageError e) { // UnsatisfiedLinkError on a platform without the native library
            log.info("Noise AEAD: Conscrypt unavailable ({}); using the JDK's ChaCha20-Poly1305", e.toString());
            return null;
        }
    }
}
