package io.warpstats.bench.crdt;

import io.warpstats.crdt.BlockFetcher;
import io.warpstats.crdt.CompactionOptions;
import io.warpstats.crdt.DeltaSigner;
import io.warpstats.crdt.DeltaVerifier;
import io.warpstats.crdt.Head;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.crypto.PublicKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Merging remote blocks: a writer replica produces a chain of {@link #BLOCKS} blocks (each a
 * flush of 4 counter slots, as a busy remote node produces them); every invocation opens a
 * fresh RocksDB replica (outside the measurement), announces the top head and waits until the
 * whole chain is fetched (from memory, verified by CID), decoded, applied and marked processed.
 * The figure is merged blocks per second. The writer writes no checkpoints: a replica joins a chain
 * that holds them from the latest one and does not merge the blocks it covers (docs/crdt.md,
 * "Compaction"), which would measure a join, not merging; each invocation checks that all
 * {@link #BLOCKS} blocks were merged.
 *
 * <p>{@code deltas=signed}: the writer signs every delta with an Ed25519 node key
 * ({@code io.warpstats.p2p.crypto}) and the replica verifies every signature and refuses
 * unsigned deltas, as a production node does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class MergeBenchmark {
    static final int BLOCKS = 20_000;

    @Param({"unsigned", "signed"})
    String deltas;

    private @Nullable DeltaSigner signer;
    private @Nullable DeltaVerifier verifier;

    private final Map<Cid, byte[]> blocks = new HashMap<>();
    private Cid top;
    private Path dir;
    private KvStore kv;
    private MerkleCrdt replica;

    @Setup(Level.Trial)
    public void produce() throws IOException {
        if (deltas.equals("signed")) {
            PrivateKey key = PrivateKey.generate();
            byte[] author = key.publicKey().toProtobuf();
            signer = new DeltaSigner() {
                @Override
                public byte[] authorId() {
                    return author;
                }

                @Override
                public byte[] sign(byte[] payload) {
                    return key.sign(payload);
                }
            };
            verifier = (a, payload, sig) -> {
                PublicKey pk = PublicKey.fromProtobuf(a);
                if (!pk.verify(payload, sig)) throw new IllegalArgumentException("bad signature");
                return pk.toString();
            };
        }
        try (KvStore src = KvStores.inMemory();
             // no checkpoints: a chain that holds them is joined from the latest, not merged block by block
             MerkleCrdt writer = MerkleCrdt.builder(src).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                     .compaction(CompactionOptions.disabled()).signer(signer).build()) {
            String[] keys = ZipfKeys.slotKeys(1000);
            int[] seq = ZipfKeys.draw(1000, 1.0, BLOCKS * 4, 7);
            for (int b = 0; b < BLOCKS; b++) {
                for (int i = 0; i < 4; i++) writer.put(keys[seq[b * 4 + i]], ByteBuffer.allocate(8).putLong(b).array());
                writer.flush().join();
                Head h = writer.heads().get(0);
                blocks.put(h.cid(), writer.replication().block(h.cid()).orElseThrow());
            }
            List<Head> heads = writer.heads();
            top = heads.get(0).cid();
        }
    }

    @Setup(Level.Invocation)
    public void freshReplica() throws IOException {
        dir = Files.createTempDirectory("warpstats-bench-merge");
        kv = KvStores.rocksDb(dir);
        BlockFetcher fetcher = cid -> {
            byte[] b = blocks.get(cid);
            return b == null ? CompletableFuture.failedFuture(new IllegalStateException("unknown " + cid))
                    : CompletableFuture.completedFuture(b);
        };
        replica = MerkleCrdt.builder(kv).fetcher(fetcher).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                .verifier(verifier).acceptUnsigned(verifier == null).build();
    }

    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public void mergeChain() {
        replica.replication().onHead(top);
        replica.replication().whenIdle().join();
        if (replica.heads().size() != 1 || !replica.heads().get(0).cid().equals(top)) {
            throw new IllegalStateException("replica did not reach the head: " + replica.heads());
        }
        if (replica.metrics().mergedBlocks() != BLOCKS) {
            throw new IllegalStateException("merged " + replica.metrics().mergedBlocks() + " blocks, not " + BLOCKS);
        }
    }

    @TearDown(Level.Invocation)
    public void closeReplica() throws IOException {
        replica.close();
        kv.close();
        BenchFiles.deleteTree(dir);
    }
}
