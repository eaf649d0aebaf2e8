package io.warpstats.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.Block;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.p2p.crypto.PrivateKey;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Measures what zstd saves on the block stream (the figures of docs/replication.md come from here). */
class CompressionTest {

    @Test
    void compressionPaysOnCounterBranches() {
        Random rnd = new Random(42);
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 5; i++) nodes.add(io.warpstats.p2p.PeerId.fromPublicKey(PrivateKey.generate().publicKey()).toString());
        try (var store = KvStores.inMemory();
             MerkleCrdt crdt = MerkleCrdt.builder(store).rebroadcastInterval(Duration.ZERO).flushDelay(Duration.ZERO)
                     .compaction(io.warpstats.crdt.CompactionOptions.disabled()).build()) { // the history is what is measured
            long total = 0;
            for (int b = 0; b < 1000; b++) {
                for (int k = 0; k < 20; k++) { // 20 slots per flush: typical of a busy node
                    String key = "/incr/" + (rnd.nextBoolean() ? "like" : "view") + "/post" + rnd.nextInt(10_000) + "/" + nodes.get(b % 5) + "/a1b2c3d4";
                    crdt.put(key, ByteBuffer.allocate(8).putLong(total += rnd.nextInt(5) + 1).array());
                }
                crdt.flush().join();
            }
            List<byte[]> blocks = new ArrayList<>();
            Cid c = crdt.heads().get(0).cid();
            while (true) {
                byte[] bytes = crdt.replication().block(c).orElseThrow();
                blocks.add(bytes);
                List<Cid> links = Block.decode(bytes).links();
                if (links.isEmpty()) break;
                c = links.get(0);
            }
            for (int batch : new int[] {1, 10, 100, 1000}) {
                long raw = 0, z = 0;
                for (int i = 0; i < blocks.size(); i += batch) {
                    SyncMessage.Blocks frame = new SyncMessage.Blocks(blocks.subList(i, Math.min(blocks.size(), i + batch)));
                    raw += SyncCodec.encode(frame).length;
                    z += SyncCodec.encode(frame, 0, 3).length;
                }
                System.out.printf("sync compression: %d blocks (%.0f B avg), %d per frame: plain %d B, zstd-3 %d B (%.1f %%)%n",
                        blocks.size(), (double) raw / blocks.size(), batch, raw, z, 100.0 * z / raw);
                if (batch >= 100) assertThat(z).isLessThan(raw * 8 / 10);
            }
        }
    }

}
