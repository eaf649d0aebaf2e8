package io.warpstats.p2p.noise;

import java.nio.ByteBuffer;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The Noise transport cipher as the transport runs it: {@link ChaChaPoly} seal + open of one
 * message between direct buffers (Netty's pooled direct memory), for each implementation
 * {@link Aead} can choose. The two native ones run side by side in one group (one thread each, one
 * core each on a 2-core machine), so their ratio is measured under the same conditions. This class
 * sits in the p2p module's package to reach its package-private cipher classes.
 *
 * <pre>
 * java -jar warpstats-bench/target/benchmarks.jar AeadBenchmark -f 1 -wi 2 -w 2 -i 3 -r 3
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class AeadBenchmark {

    /** A thread's cipher pair and buffers for each native implementation (each thread uses one). */
    @State(Scope.Thread)
    public static class Ciphers {
        @Param({"1024", "65519"})
        int size;
        final Side openSsl = new Side(), conscrypt = new Side();

        @Setup(Level.Trial)
        public void setup() {
            openSsl.setup(Aead.Kind.OPENSSL, size);
            conscrypt.setup(Aead.Kind.CONSCRYPT, size);
        }

        @TearDown(Level.Trial)
        public void close() {
            openSsl.close();
            conscrypt.close();
        }
    }

    static final class Side {
        ChaChaPoly seal, open;
        ByteBuffer pt, ct, back;
        long nonce;

        void setup(Aead.Kind kind, int size) {
            if (!Aead.available(kind)) throw new IllegalStateException(kind + " unavailable here");
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            seal = Aead.newChaChaPoly(kind, key);
            open = Aead.newChaChaPoly(kind, key);
            byte[] p = new byte[size];
            new SecureRandom().nextBytes(p);
            pt = ByteBuffer.allocateDirect(size).put(p).flip();
            ct = ByteBuffer.allocateDirect(size + CipherState.TAG);
            back = ByteBuffer.allocateDirect(size);
        }

        void close() {
            seal.close();
            open.close();
        }

        ByteBuffer sealOpen() throws GeneralSecurityException {
            long n = nonce++;
            pt.clear();
            ct.clear();
            seal.seal(n, pt, ct);
            ct.flip();
            back.clear();
            open.open(n, ct, back);
            return back;
        }
    }

    @Benchmark
    @Group("directSealOpen")
    @GroupThreads(1)
    public ByteBuffer openSsl(Ciphers s) throws GeneralSecurityException {
        return s.openSsl.sealOpen();
    }

    @Benchmark
    @Group("directSealOpen")
    @GroupThreads(1)
    public ByteBuffer conscrypt(Ciphers s) throws GeneralSecurityException {
        return s.conscrypt.sealOpen();
    }
}
