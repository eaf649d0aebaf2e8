package io.warpstats.p2p.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Arrays;
import java.util.Locale;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the Noise transport's ChaCha20-Poly1305 (RFC 8439) comes from, chosen once per JVM, best
 * first: the system's OpenSSL {@code libcrypto} through JNA ({@link OpenSslChaChaPoly}), BoringSSL
 * through Conscrypt, the JDK's own cipher.
 *
 * <p>Why: the AEAD is most of the cost of every byte a connection carries. JDK 17's cipher is pure
 * Java without intrinsics; OpenSSL 3 has the AVX-512 paths that BoringSSL, inside Conscrypt, lacks.
 * The JMH benchmarks {@code CryptoBenchmark.chaChaPolySealOpen} and {@code AeadBenchmark} compare
 * them side by side; figures in docs/benchmarks.md.
 *
 * <p>Guarantee: a native implementation is used only after a self-test shows it produces the JDK
 * cipher's ciphertext and tag for the same inputs (with and without associated data, through
 * arrays and direct buffers) and rejects a forged tag; else the next one is tried and the fallback
 * is logged. The bytes on the wire are the same whichever is chosen. System property
 * {@code warpstats.noise.aead} = {@code openssl} | {@code conscrypt} | {@code jdk} starts the
 * search lower down the list (e.g. {@code conscrypt} skips OpenSSL), for measurements.
 */
public final class Aead {
    private static final Logger log = LoggerFactory.getLogger(Aead.class);

    /** The implementations, best first. */
    enum Kind { OPENSSL, CONSCRYPT, JDK }

    private static final Kind CHOSEN;
    private static String openSslName = "OpenSSL";
    private static long openSslCipher;
    private static @Nullable Provider conscrypt;
    private static boolean openSslTried, conscryptTried;

    static {
        String wanted = System.getProperty("warpstats.noise.aead", "openssl").toUpperCase(Locale.ROOT);
        Kind start;
        try {
            start = Kind.valueOf(wanted);
        } catch (IllegalArgumentException e) {
            log.warn("warpstats.noise.aead={} is not one of openssl, conscrypt, jdk; using the best available", wanted);
            start = Kind.OPENSSL;
        }
        Kind chosen = Kind.JDK;
        for (Kind k : Kind.values()) {
            if (k.ordinal() >= start.ordinal() && available(k)) {
                chosen = k;
                break;
            }
        }
        CHOSEN = chosen;
        log.debug("Noise AEAD: {}", provider());
    }

    private Aead() {}

    /** The implementation in use, e.g. {@code "OpenSSL 3.0.19 27 Jan 2026"}, {@code "Conscrypt (BoringSSL)"} or {@code "JDK"}. */
    public static String provider() {
        return name(CHOSEN);
    }

    static Kind chosen() {
        return CHOSEN;
    }

    static String name(Kind k) {
        return switch (k) {
            case OPENSSL -> openSslName;
            case CONSCRYPT -> "Conscrypt (BoringSSL)";
            case JDK -> "JDK";
        };
    }

    /** A new cipher under {@code key} from the chosen implementation. */
    static ChaChaPoly newChaChaPoly(byte[] key) {
        return newChaChaPoly(CHOSEN, key);
    }

    /** A new cipher from a given implementation, which must be {@link #available}. */
    static ChaChaPoly newChaChaPoly(Kind kind, byte[] key) {
        try {
            return switch (kind) {
                case OPENSSL -> new OpenSslChaChaPoly(openSslCipher, key);
                case CONSCRYPT -> new JcaChaChaPoly(key, Cipher.getInstance("ChaCha20/Poly1305/NoPadding", conscrypt), true);
                case JDK -> new JcaChaChaPoly(key, Cipher.getInstance("ChaCha20-Poly1305"), false);
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 unavailable from " + name(kind), e);
        }
    }

    /** Whether an implementation loads here and passes the self-test (each is tried once). */
    static synchronized boolean available(Kind k) {
        return switch (k) {
            case OPENSSL -> openSslCipher != 0 || loadOpenSsl();
            case CONSCRYPT -> conscrypt != null || loadConscrypt();
            case JDK -> true;
        };
    }

    private static boolean loadOpenSsl() {
        if (openSslTried) return false;
        openSslTried = true;
        try {
            String lib = LibCrypto.load();
            long cipher = LibCrypto.EVP_chacha20_poly1305();
            if (cipher == 0) throw new IllegalStateException(lib + " has no EVP_chacha20_poly1305");
            openSslCipher = cipher;
            long v = LibCrypto.OpenSSL_version(LibCrypto.OPENSSL_VERSION);
            if (v != 0) openSslName = new com.sun.jna.Pointer(v).getString(0, "US-ASCII");
            if (selfTest(Kind.OPENSSL)) return true;
            log.warn("Noise AEAD: {} failed its self-test; not used", openSslName);
        } catch (Exception | LinkageError e) { // UnsatisfiedLinkError without libcrypto or JNA's native part
            log.info("Noise AEAD: OpenSSL libcrypto unavailable ({})", e.toString());
        }
        openSslCipher = 0;
        return false;
    }

    private static boolean loadConscrypt() {
        if (conscryptTried) return false;
        conscryptTried = true;
        try {
            conscrypt = new org.conscrypt.OpenSSLProvider();
            if (selfTest(Kind.CONSCRYPT)) return true;
            log.warn("Noise AEAD: Conscrypt failed its self-test; not used");
        } catch (Exception | LinkageError e) { // UnsatisfiedLinkError on a platform without its native library
            log.info("Noise AEAD: Conscrypt unavailable ({})", e.toString());
        }
        conscrypt = null;
        return false;
    }

    /**
     * Same bytes as the JDK cipher, both paths, with and without associated data; a forged tag
     * fails. Each seal uses a fresh nonce (a JCA cipher refuses to encrypt twice under one).
     */
    private static boolean selfTest(Kind k) throws GeneralSecurityException {
        byte[] key = new byte[32], ad = new byte[32], msg = new byte[1000];
        for (int i = 0; i < key.length; i++) key[i] = (byte) (i * 7 + 1);
        for (int i = 0; i < ad.length; i++) ad[i] = (byte) (i * 3);
        for (int i = 0; i < msg.length; i++) msg[i] = (byte) i;
        long nonce = 0x0102030405060708L;
        ChaChaPoly c = newChaChaPoly(k, key);
        try {
            for (byte[] a : new byte[][] {CipherState.EMPTY, ad}) {
                nonce++;
                byte[] expected = jdkSeal(key, nonce, a, msg);
                byte[] got = new byte[msg.length + CipherState.TAG];
                c.seal(nonce, a, msg, 0, msg.length, got, 0);
                byte[] back = new byte[msg.length];
                c.open(nonce, a, got, 0, got.length, back, 0);
                if (!Arrays.equals(expected, got) || !Arrays.equals(msg, back)) return false;
            }
            nonce++;
            ByteBuffer in = ByteBuffer.allocateDirect(msg.length).put(msg).flip();
            ByteBuffer out = ByteBuffer.allocateDirect(msg.length + CipherState.TAG);
            c.seal(nonce, in, out);
            byte[] got = new byte[out.flip().remaining()];
            out.get(got);
            if (!Arrays.equals(jdkSeal(key, nonce, CipherState.EMPTY, msg), got)) return false;
            got[5] ^= 1;
            try {
                c.open(nonce, ByteBuffer.allocateDirect(got.length).put(got).flip(), ByteBuffer.allocateDirect(msg.length));
                return false;
            } catch (AEADBadTagException expectedFailure) {
                return true;
            }
        } finally {
            c.close();
        }
    }

    private static byte[] jdkSeal(byte[] key, long nonce, byte[] ad, byte[] msg) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        for (int i = 0; i < 8; i++) iv[4 + i] = (byte) (nonce >>> (8 * i));
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(iv));
        jdk.updateAAD(ad);
        return jdk.doFinal(msg);
    }
}
