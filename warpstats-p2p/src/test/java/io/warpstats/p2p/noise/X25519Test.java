package io.warpstats.p2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class X25519Test {
    private static final HexFormat HEX = HexFormat.of();

    /** Loads OpenSSL through {@link X25519}'s self-test; skips a test of it where it is absent (not on Linux x86, see below). */
    private static void needOpenSsl() {
        assumeTrue(X25519.provider().equals("OpenSSL"), "no OpenSSL libcrypto here");
    }

    private static byte[] bcPublic(byte[] priv) {
        byte[] pub = new byte[32];
        org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(priv, 0, pub, 0);
        return pub;
    }

    /** The shared secret from OpenSSL, or null when it refuses (as {@link X25519#bcDh} may). */
    private static byte[] openSslOrNull(byte[] priv, byte[] remote) throws GeneralSecurityException {
        OpenSslX25519.Key key = OpenSslX25519.importPrivate(priv);
        try {
            return OpenSslX25519.agree(key, remote);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    private static byte[] bcOrNull(byte[] priv, byte[] remote) {
        try {
            return X25519.bcDh(priv, remote);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /** OpenSSL's libcrypto is on every Linux machine this project targets (CI installs libssl3). */
    @Test
    void theOpenSslImplementationIsUsedOnLinuxX86() {
        if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertThat(X25519.provider()).isEqualTo("OpenSSL");
        }
    }

    /** Same public key and same shared secret (or the same refusal) as BouncyCastle, for any bytes. */
    @Property(tries = 500)
    void openSslAgreesWithBouncyCastle(@ForAll @Size(32) byte[] priv, @ForAll @Size(32) byte[] other,
                                       @ForAll @Size(32) byte[] anyU) throws Exception {
        needOpenSsl();
        OpenSslX25519.Key key = OpenSslX25519.importPrivate(priv);
        assertThat(key.publicRaw()).isEqualTo(bcPublic(priv));
        byte[] otherPub = bcPublic(other);
        assertThat(OpenSslX25519.agree(key, otherPub)).isEqualTo(X25519.bcDh(priv, otherPub));
        // arbitrary u: top bit set, twist points, non-canonical values; masked and reduced alike
        assertThat(openSslOrNull(priv, anyU)).isEqualTo(bcOrNull(priv, anyU));
    }

    @Property(tries = 200)
    void bothSidesDeriveTheSameSecret() throws Exception {
        X25519.Pair a = X25519.generate(), b = X25519.generate();
        assertThat(a.publicRaw()).isEqualTo(bcPublic(a.privateRaw()));
        byte[] ab = X25519.dh(a, b.publicRaw());
        assertThat(ab).isEqualTo(X25519.dh(b, a.publicRaw())).isEqualTo(X25519.bcDh(a.privateRaw(), b.publicRaw()));
        // a pair built from raw bytes (no native key yet) imports its key on first use
        assertThat(X25519.dh(new X25519.Pair(a.privateRaw(), a.publicRaw()), b.publicRaw())).isEqualTo(ab);
    }

    /** RFC 7748 §5.2: the two scalar/u vectors and the iterated function (1 and 1,000 rounds). */
    @Test
    void rfc7748Section5Vectors() throws Exception {
        needOpenSsl();
        String[][] vectors = {
            {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
             "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
             "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
            {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
             "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
             "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
        };
        for (String[] v : vectors) {
            byte[] k = HEX.parseHex(v[0]), u = HEX.parseHex(v[1]);
            assertThat(HEX.formatHex(OpenSslX25519.agree(OpenSslX25519.importPrivate(k), u))).isEqualTo(v[2]);
            assertThat(HEX.formatHex(X25519.bcDh(k, u))).isEqualTo(v[2]);
            assertThat(HEX.formatHex(X25519.dh(new X25519.Pair(k, null), u))).isEqualTo(v[2]);
        }
        byte[] k = new byte[32], u = new byte[32];
        k[0] = 9;
        u[0] = 9;
        for (int i = 1; i <= 1000; i++) {
            byte[] out = OpenSslX25519.agree(OpenSslX25519.importPrivate(k), u);
            u = k;
            k = out;
            if (i == 1) assertThat(HEX.formatHex(k)).isEqualTo("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
        }
        assertThat(HEX.formatHex(k)).isEqualTo("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
    }

    /** RFC 7748 §6.1: both key pairs and the shared secret, from either side. */
    @Test
    void rfc7748Section6Vectors() throws Exception {
        needOpenSsl();
        byte[] alicePriv = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bobPriv = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        String alicePub = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
        String bobPub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        OpenSslX25519.Key alice = OpenSslX25519.importPrivate(alicePriv), bob = OpenSslX25519.importPrivate(bobPriv);
        assertThat(HEX.formatHex(alice.publicRaw())).isEqualTo(alicePub).isEqualTo(HEX.formatHex(bcPublic(alicePriv)));
        assertThat(HEX.formatHex(bob.publicRaw())).isEqualTo(bobPub).isEqualTo(HEX.formatHex(bcPublic(bobPriv)));
        assertThat(HEX.formatHex(OpenSslX25519.agree(alice, HEX.parseHex(bobPub)))).isEqualTo(shared);
        assertThat(HEX.formatHex(OpenSslX25519.agree(bob, HEX.parseHex(alicePub)))).isEqualTo(shared);
        assertThat(HEX.formatHex(X25519.bcDh(alicePriv, HEX.parseHex(bobPub)))).isEqualTo(shared);
        assertThat(HEX.formatHex(X25519.dh(new X25519.Pair(bobPriv, null), HEX.parseHex(alicePub)))).isEqualTo(shared);
    }

    /** Points of order 1, 2, 4 and 8 (and their non-canonical encodings): an all-zero secret, refused by both. */
    @ParameterizedTest
    @ValueSource(strings = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "0100000000000000000000000000000000000000000000000000000000000080",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    })
    void lowOrderKeysAreRejected(String u) throws Exception {
        needOpenSsl();
        byte[] remote = HEX.parseHex(u);
        X25519.Pair local = X25519.generate();
        assertThatThrownBy(() -> X25519.dh(local, remote)).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> X25519.bcDh(local.privateRaw(), remote)).isInstanceOf(GeneralSecurityException.class);
        OpenSslX25519.Key key = OpenSslX25519.importPrivate(local.privateRaw());
        assertThatThrownBy(() -> OpenSslX25519.agree(key, remote)).isInstanceOf(GeneralSecurityException.class);
        // the key still works after a refusal
        X25519.Pair other = X25519.generate();
        assertThat(OpenSslX25519.agree(key, other.publicRaw())).isEqualTo(X25519.dh(other, local.publicRaw()));
    }

    @Test
    void keysOfTheWrongLengthAreRejected() throws Exception {
        needOpenSsl();
        X25519.Pair local = X25519.generate();
        assertThatThrownBy(() -> X25519.dh(local, new byte[31])).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> X25519.dh(local, new byte[33])).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> OpenSslX25519.importPrivate(new byte[31])).isInstanceOf(GeneralSecurityException.class);
    }

    /** One key (like a host's static key) used by many threads at once gives every thread the right secret. */
    @Test
    void oneKeyServesManyThreadsAtOnce() throws Exception {
        X25519.Pair shared = X25519.generate();
        List<X25519.Pair> remotes = new ArrayList<>();
        for (int i = 0; i < 64; i++) remotes.add(X25519.generate());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 20; round++) {
                        for (X25519.Pair r : remotes) {
                            byte[] got = X25519.dh(shared, r.publicRaw());
                            if (!java.util.Arrays.equals(got, X25519.bcDh(r.privateRaw(), shared.publicRaw()))) return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) assertThat(f.get()).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }
}
