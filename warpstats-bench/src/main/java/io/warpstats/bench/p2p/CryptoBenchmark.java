package io.warpstats.bench.p2p;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The p2p stack's primitives, the JDK's providers ({@code jdk*}) side by side with BouncyCastle's
 * low-level classes ({@code bc*}) in one run, so the ratio survives a noisy machine:
 * X25519 key generation and agreement (Noise: 1 + 3 per side per connection), Ed25519 sign and
 * verify (Noise payload, gossipsub StrictSign, signed deltas), and ChaCha20-Poly1305 seal + open of
 * one frame (Noise transport; {@code size} = plaintext bytes; 65519 is the largest Noise frame).
 * Each AEAD op uses a fresh 96-bit nonce (counter) with a reused cipher instance, as CipherState does.
 * The JDK and BC variants of one primitive form a JMH group: they run at the same time, one thread
 * each, so both see the same load of a shared machine (sequential runs of the two are not
 * comparable when the load changes between them); compare the two lines of a group, not groups
 * with each other.
 * <pre>
 * mvn -q -B -DskipTests -pl warpstats-bench -am package
 * java -jar warpstats-bench/target/benchmarks.jar CryptoBenchmark -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CryptoBenchmark {

    // ---- X25519 ----

    @State(Scope.Thread)
    public static class Dh {
        KeyPair jdkLocal;
        PublicKey jdkRemote;
        byte[] remoteRaw = new byte[32];
        byte[] bcLocal = new byte[32];
        byte[] bcOut = new byte[32];
        KeyPairGenerator jdkGen;

        @Setup
        public void setup() throws GeneralSecurityException {
            jdkGen = KeyPairGenerator.getInstance("XDH");
            jdkGen.initialize(NamedParameterSpec.X25519);
            jdkLocal = jdkGen.generateKeyPair();
            KeyPair remote = jdkGen.generateKeyPair();
            jdkRemote = remote.getPublic();
            byte[] be = ((XECPublicKey) jdkRemote).getU().toByteArray();
            for (int i = 0; i < 32 && i < be.length; i++) remoteRaw[i] = be[be.length - 1 - i];
            X25519.generatePrivateKey(new SecureRandom(), bcLocal);
            X25519.precompute();
        }
    }

    /** As the project did it: raw remote key → JDK key object → KeyAgreement. */
    @Benchmark
    @Group("x25519Agreement")
    @GroupThreads(1)
    public byte[] jdkX25519Agreement(Dh s) throws GeneralSecurityException {
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) be[i] = s.remoteRaw[31 - i];
        be[0] &= 0x7F;
        PublicKey pub = KeyFactory.getInstance("XDH").generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
        KeyAgreement ka = KeyAgreement.getInstance("XDH");
        ka.init(s.jdkLocal.getPrivate());
        ka.doPhase(pub, true);
        return ka.generateSecret();
    }

    @Benchmark
    @Group("x25519Agreement")
    @GroupThreads(1)
    public byte[] bcX25519Agreement(Dh s) {
        if (!X25519.calculateAgreement(s.bcLocal, 0, s.remoteRaw, 0, s.bcOut, 0)) throw new IllegalStateException();
        return s.bcOut;
    }

    @Benchmark
    @Group("x25519KeyGen")
    @GroupThreads(1)
    public KeyPair jdkX25519KeyGen(Dh s) {
        return s.jdkGen.generateKeyPair();
    }

    @Benchmark
    @Group("x25519KeyGen")
    @GroupThreads(1)
    public byte[] bcX25519KeyGen(Dh s) {
        X25519.generatePublicKey(s.bcLocal, 0, s.bcOut, 0); // the random private key is not the cost
        return s.bcOut;
    }

    // ---- Ed25519 ----

    @State(Scope.Thread)
    public static class Ed {
        final byte[] msg = new byte[96]; // ~ the Noise payload signature input / a small pubsub message
        PrivateKey jdkPriv;
        PublicKey jdkPub;
        byte[] jdkSig;
        byte[] seed = new byte[32];
        byte[] pub = new byte[32];
        Ed25519.PublicPoint point;
        byte[] bcSig = new byte[64];

        @Setup
        public void setup() throws GeneralSecurityException {
            new SecureRandom().nextBytes(msg);
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            jdkPriv = kp.getPrivate();
            jdkPub = kp.getPublic();
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(jdkPriv);
            s.update(msg);
            jdkSig = s.sign();
            Ed25519.precompute();
            Ed25519.generatePrivateKey(new SecureRandom(), seed);
            Ed25519.generatePublicKey(seed, 0, pub, 0);
            point = Ed25519.validatePublicKeyFullExport(pub, 0);
            Ed25519.sign(seed, 0, pub, 0, msg, 0, msg.length, bcSig, 0);
        }
    }

    @Benchmark
    @Group("ed25519Sign")
    @GroupThreads(1)
    public byte[] jdkEd25519Sign(Ed s) throws GeneralSecurityException {
        Signature sig = Signature.getInstance("Ed25519");
        sig.initSign(s.jdkPriv);
        sig.update(s.msg);
        return sig.sign();
    }

    /** With the public key given (else BC re-derives it from the seed on every signature). */
    @Benchmark
    @Group("ed25519Sign")
    @GroupThreads(1)
    public byte[] bcEd25519Sign(Ed s) {
        byte[] out = new byte[64];
        Ed25519.sign(s.seed, 0, s.pub, 0, s.msg, 0, s.msg.length, out, 0);
        return out;
    }

    @Benchmark
    @Group("ed25519Verify")
    @GroupThreads(1)
    public boolean jdkEd25519Verify(Ed s) throws GeneralSecurityException {
        Signature sig = Signature.getInstance("Ed25519");
        sig.initVerify(s.jdkPub);
        sig.update(s.msg);
        if (!sig.verify(s.jdkSig)) throw new IllegalStateException();
        return true;
    }

    /** Raw 32-byte key: decodes (decompresses) the point on every call. */
    @Benchmark
    @Group("ed25519Verify")
    @GroupThreads(1)
    public boolean bcEd25519Verify(Ed s) {
        if (!Ed25519.verify(s.bcSig, 0, s.pub, 0, s.msg, 0, s.msg.length)) throw new IllegalStateException();
        return true;
    }

    /** With the decoded public point kept per key (precomputed once). */
    @Benchmark
    @Group("ed25519Verify")
    @GroupThreads(1)
    public boolean bcEd25519VerifyPoint(Ed s) {
        if (!Ed25519.verify(s.bcSig, 0, s.point, s.msg, 0, s.msg.length)) throw new IllegalStateException();
        return true;
    }

    // ---- ChaCha20-Poly1305 ----

    @State(Scope.Thread)
    public static class Aead {
        @Param({"1024", "65519"})
        int size;
        byte[] key = new byte[32];
        byte[] pt, ct, back;
        byte[] nonce = new byte[12];
        long n;
        SecretKeySpec jdkKey;
        Cipher jdkSeal, jdkOpen, nativeSeal, nativeOpen;
        ChaCha20Poly1305 bcSeal = new ChaCha20Poly1305(), bcOpen = new ChaCha20Poly1305();

        @Setup
        public void setup() throws GeneralSecurityException {
            new SecureRandom().nextBytes(key);
            pt = new byte[size];
            new SecureRandom().nextBytes(pt);
            ct = new byte[size + 16];
            back = new byte[size];
            jdkKey = new SecretKeySpec(key, "ChaCha20");
            jdkSeal = Cipher.getInstance("ChaCha20-Poly1305");
            jdkOpen = Cipher.getInstance("ChaCha20-Poly1305");
            java.security.Provider conscrypt = new org.conscrypt.OpenSSLProvider(); // what Noise uses (io.warpstats.p2p.noise.Aead)
            nativeSeal = Cipher.getInstance("ChaCha20/Poly1305/NoPadding", conscrypt);
            nativeOpen = Cipher.getInstance("ChaCha20/Poly1305/NoPadding", conscrypt);
            // the first init carries the key; later ones only the nonce (key kept)
            byte[] n0 = new byte[12];
            n0[11] = 1;
            bcSeal.init(true, new ParametersWithIV(new KeyParameter(key), n0));
            bcOpen.init(false, new ParametersWithIV(new KeyParameter(key), n0));
        }

        byte[] next() {
            long c = n++;
            for (int i = 0; i < 8; i++) nonce[4 + i] = (byte) (c >>> (8 * i));
            return nonce;
        }
    }

    @Benchmark
    @Group("chaChaPolySealOpen")
    @GroupThreads(1)
    public byte[] jdkChaChaPolySealOpen(Aead s) throws GeneralSecurityException {
        return sealOpen(s, s.jdkSeal, s.jdkOpen);
    }

    /** One seal and one open of {@code s.size} bytes with a JCA cipher pair, under the next nonce. */
    private static byte[] sealOpen(Aead s, Cipher seal, Cipher open) throws GeneralSecurityException {
        byte[] nonce = s.next();
        seal.init(Cipher.ENCRYPT_MODE, s.jdkKey, new IvParameterSpec(nonce));
        int c = seal.doFinal(s.pt, 0, s.size, s.ct, 0);
        open.init(Cipher.DECRYPT_MODE, s.jdkKey, new IvParameterSpec(nonce));
        open.doFinal(s.ct, 0, c, s.back, 0);
        return s.back;
    }

    @Benchmark
    @Group("chaChaPolySealOpen")
    @GroupThreads(1)
    public byte[] bcChaChaPolySealOpen(Aead s) throws InvalidCipherTextException {
        byte[] nonce = s.next();
        ParametersWithIV p = new ParametersWithIV(null, nonce);
        s.bcSeal.init(true, p);
        int c = s.bcSeal.processBytes(s.pt, 0, s.size, s.ct, 0);
        c += s.bcSeal.doFinal(s.ct, c);
        s.bcOpen.init(false, p);
        int o = s.bcOpen.processBytes(s.ct, 0, c, s.back, 0);
        s.bcOpen.doFinal(s.back, o);
        return s.back;
    }

    @Benchmark
    @Group("chaChaPolySealOpen")
    @GroupThreads(1)
    public byte[] conscryptChaChaPolySealOpen(Aead s) throws GeneralSecurityException {
        return sealOpen(s, s.nativeSeal, s.nativeOpen);
    }
}
