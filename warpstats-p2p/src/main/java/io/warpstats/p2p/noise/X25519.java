package io.warpstats.p2p.noise;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * X25519 (RFC 7748) with raw 32-byte little-endian keys, from the system's OpenSSL
 * {@code libcrypto} ({@link OpenSslX25519}) when it loads and passes a self-test, else from
 * BouncyCastle's {@code org.bouncycastle.math.ec.rfc7748.X25519}. Key agreement is most of the CPU
 * of a connection setup, and OpenSSL's agreement with an imported private key is faster than
 * BouncyCastle's, which is faster than the JDK 17 "XDH" provider's (JMH {@code X25519Benchmark} and
 * {@code CryptoBenchmark} run them side by side; figures in docs/benchmarks.md).
 *
 * <p>Guarantees, whichever implementation is chosen (once per JVM): the same public keys and
 * shared secrets, byte for byte (private keys clamped on use, the remote key's top bit ignored, as
 * RFC 7748 says); {@link #dh} throws {@link GeneralSecurityException} for a low-order remote key
 * (all-zero shared secret) and for a key that is not 32 bytes. OpenSSL is used only after a
 * self-test at class load shows it gives BouncyCastle's public key and shared secret for fixed
 * inputs (RFC 7748 §5.2 and §6.1 vectors among them) and rejects a low-order key; otherwise the
 * fallback is logged. System property {@code warpstats.noise.x25519} = {@code openssl} (default)
 * | {@code bc} forces BouncyCastle with {@code bc}, for measurements.
 *
 * <p>With OpenSSL, a {@link Pair} imports its private key into OpenSSL once (at {@link #generate},
 * or at its first {@link #dh}) and keeps that native key until the pair is unreachable (freed by a
 * {@code Cleaner}, see {@link OpenSslX25519}).
 */
final class X25519 {
    private static final Logger log = LoggerFactory.getLogger(X25519.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final boolean OPENSSL;

    static {
        org.bouncycastle.math.ec.rfc7748.X25519.precompute();
        String wanted = System.getProperty("warpstats.noise.x25519", "openssl").toLowerCase(Locale.ROOT);
        if (!wanted.equals("openssl") && !wanted.equals("bc")) {
            log.warn("warpstats.noise.x25519={} is not one of openssl, bc; using the best available", wanted);
        }
        OPENSSL = !wanted.equals("bc") && openSslWorks();
        log.debug("Noise X25519: {}", provider());
    }

    private X25519() {}

    /** The implementation in use: {@code "OpenSSL"} or {@code "BouncyCastle"}. */
    static String provider() {
        return OPENSSL ? "OpenSSL" : "BouncyCastle";
    }

    /** A key pair: the (clamped on use) private scalar and the raw public key. */
    static final class Pair {
        private final byte[] privateRaw, publicRaw;
        /** OpenSSL's copy of the private key, imported on first need (a race may import two; each is freed on its own). */
        private volatile OpenSslX25519.@Nullable Key key;

        Pair(byte[] privateRaw, byte[] publicRaw) {
            this(privateRaw, publicRaw, null);
        }

        private Pair(byte[] privateRaw, byte[] publicRaw, OpenSslX25519.@Nullable Key key) {
            this.privateRaw = privateRaw;
            this.publicRaw = publicRaw;
            this.key = key;
        }

        byte[] privateRaw() { return privateRaw; }

        byte[] publicRaw() { return publicRaw; }

        private OpenSslX25519.Key key() throws GeneralSecurityException {
            OpenSslX25519.Key k = key;
            if (k == null) key = k = OpenSslX25519.importPrivate(privateRaw);
            return k;
        }
    }

    static Pair generate() {
        byte[] k = new byte[32];
        org.bouncycastle.math.ec.rfc7748.X25519.generatePrivateKey(RANDOM, k);
        if (OPENSSL) {
            try {
                OpenSslX25519.Key key = OpenSslX25519.importPrivate(k);
                return new Pair(k, key.publicRaw(), key);
            } catch (GeneralSecurityException e) { // only if OpenSSL is out of memory
                throw new IllegalStateException("X25519 key generation failed", e);
            }
        }
        byte[] pub = new byte[32];
        org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(k, 0, pub, 0);
        return new Pair(k, pub);
    }

    /** The shared secret; fails for a low-order remote key (all-zero result). */
    static byte[] dh(Pair local, byte[] remoteRaw) throws GeneralSecurityException {
        if (remoteRaw.length != 32) throw new GeneralSecurityException("X25519 key must be 32 bytes");
        if (OPENSSL) return OpenSslX25519.agree(local.key(), remoteRaw);
        return bcDh(local.privateRaw(), remoteRaw);
    }

    static byte[] bcDh(byte[] privateRaw, byte[] remoteRaw) throws GeneralSecurityException {
        byte[] s = new byte[32];
        // masks the top bit of u (RFC 7748) and returns false for an all-zero secret
        if (!org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(privateRaw, 0, remoteRaw, 0, s, 0)) {
            throw new GeneralSecurityException("low-order X25519 key");
        }
        return s;
    }

    /**
     * Loads OpenSSL and checks it against BouncyCastle and RFC 7748: §5.2's two scalar/u vectors
     * (the second has the u top bit set), §6.1's key pairs and shared secret, a low-order key.
     */
    private static boolean openSslWorks() {
        try {
            LibCrypto.load();
            HexFormat hex = HexFormat.of();
            String[][] vectors = { // private, remote public, shared secret
                {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
                 "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
                 "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
                {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
                 "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
                 "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
                {"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
                 "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
                 "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"},
            };
            for (String[] v : vectors) {
                byte[] priv = hex.parseHex(v[0]), remote = hex.parseHex(v[1]), shared = hex.parseHex(v[2]);
                OpenSslX25519.Key key = OpenSslX25519.importPrivate(priv);
                byte[] bcPub = new byte[32];
                org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(priv, 0, bcPub, 0);
                if (!Arrays.equals(key.publicRaw(), bcPub)
                        || !Arrays.equals(OpenSslX25519.agree(key, remote), shared)
                        || !Arrays.equals(bcDh(priv, remote), shared)) {
                    log.warn("Noise X25519: OpenSSL failed its self-test; using BouncyCastle");
                    return false;
                }
            }
            OpenSslX25519.Key alice = OpenSslX25519.importPrivate(hex.parseHex(vectors[2][0]));
            if (!Arrays.equals(alice.publicRaw(), hex.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"))) {
                log.warn("Noise X25519: OpenSSL gave a wrong RFC 7748 public key; using BouncyCastle");
                return false;
            }
            try {
                OpenSslX25519.agree(alice, new byte[32]); // u = 0, low order
                log.warn("Noise X25519: OpenSSL accepted a low-order key; using BouncyCastle");
                return false;
            } catch (GeneralSecurityException expected) {
                return true;
            }
        } catch (Exception | LinkageError e) { // UnsatisfiedLinkError without libcrypto (1.1.1+) or JNA's native part
            log.info("Noise X25519: OpenSSL libcrypto unavailable ({}); using BouncyCastle", e.toString());
            return false;
        }
    }
}
