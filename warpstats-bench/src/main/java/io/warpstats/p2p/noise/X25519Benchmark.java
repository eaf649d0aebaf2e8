package io.warpstats.p2p.noise;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * X25519 as the Noise handshake runs it, raw 32-byte keys in and out: BouncyCastle's
 * {@code rfc7748.X25519} against OpenSSL's through {@link OpenSslX25519}: agreement with an
 * imported private key (as the transport does), agreement importing the private key each time,
 * and public key from a private key (an import; what key generation costs). Each pair runs side by side in one group
 * (one thread each, one core each on a 2-core machine), so their ratio is measured under the same
 * conditions. This class sits in the p2p module's package to reach its package-private classes.
 *
 * <pre>
 * java -jar warpstats-bench/target/benchmarks.jar X25519Benchmark -f 1 -wi 2 -w 2 -i 3 -r 3
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class X25519Benchmark {

    /** A thread's private key and a remote public key. */
    @State(Scope.Thread)
    public static class Keys {
        final byte[] local = new byte[32], remote = new byte[32], out = new byte[32];
        OpenSslX25519.Key key;

        @Setup(Level.Trial)
        public void setup() {
            LibCrypto.load();
            SecureRandom r = new SecureRandom();
            org.bouncycastle.math.ec.rfc7748.X25519.precompute();
            org.bouncycastle.math.ec.rfc7748.X25519.generatePrivateKey(r, local);
            byte[] other = new byte[32];
            org.bouncycastle.math.ec.rfc7748.X25519.generatePrivateKey(r, other);
            org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(other, 0, remote, 0);
            try {
                key = OpenSslX25519.importPrivate(local);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Benchmark
    @Group("agreement")
    @GroupThreads(1)
    public byte[] bcAgreement(Keys k) {
        if (!org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(k.local, 0, k.remote, 0, k.out, 0)) {
            throw new IllegalStateException();
        }
        return k.out;
    }

    @Benchmark
    @Group("agreement")
    @GroupThreads(1)
    public byte[] openSslAgreement(Keys k) throws GeneralSecurityException {
        return OpenSslX25519.agree(k.key, k.remote);
    }

    @Benchmark
    @Group("agreementImportingKey")
    @GroupThreads(1)
    public byte[] bcAgreement2(Keys k) {
        return bcAgreement(k);
    }

    @Benchmark
    @Group("agreementImportingKey")
    @GroupThreads(1)
    public byte[] openSslImportAgreement(Keys k) throws GeneralSecurityException {
        return OpenSslX25519.agree(OpenSslX25519.importPrivate(k.local), k.remote);
    }

    @Benchmark
    @Group("publicKey")
    @GroupThreads(1)
    public byte[] bcPublicKey(Keys k) {
        org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(k.local, 0, k.out, 0);
        return k.out;
    }

    @Benchmark
    @Group("publicKey")
    @GroupThreads(1)
    public byte[] openSslPublicKey(Keys k) throws GeneralSecurityException {
        return OpenSslX25519.importPrivate(k.local).publicRaw();
    }
}
