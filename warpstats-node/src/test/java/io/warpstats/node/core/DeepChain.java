package io.warpstats.node.core;

import io.warpstats.crdt.Block;
import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.crdt.Delta;
import io.warpstats.crdt.Element;
import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.Multihash;
import io.warpstats.replication.PubSubBroadcaster;
import io.warpstats.stats.SlotKey;
import io.warpstats.stats.Stat;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Announces a DAG {@code --depth} blocks deep (default a million): a chain whose block at height
 * {@code h} links to the block at {@code h - 1} and writes the hostile node's own counter slot with
 * value {@code h}, priority {@code h}, unsigned. Only the chain's digests are kept (32 bytes a block,
 * and an open-addressing index from a digest's first 8 bytes to its height); a block's bytes are
 * made again when a peer asks for it, by a sync server that replaces the replica's. The head is
 * announced every 500 ms for {@code --seconds} (default 6).
 */
final class DeepChain implements Misbehaviour {
    static final String POST = "deep-post";
    private int depth;
    private byte[] digests = new byte[0];
    private long[] index = new long[0];
    private int[] heights = new int[0];
    private String key = "";

    @Override
    public void prepare(HostileNode.Stack s) {
        long t0 = System.nanoTime();
        depth = (int) s.flag("depth", 1_000_000);
        key = new SlotKey(true, Stat.VIEWS, POST, s.self().toString(), "deep").key();
        digests = new byte[32 * depth];
        int slots = Integer.highestOneBit(depth * 2 - 1) << 1;
        index = new long[slots];
        heights = new int[slots];
        for (int h = 1; h <= depth; h++) {
            byte[] d = Multihash.sha256(bytes(h)).digest();
            System.arraycopy(d, 0, digests, 32 * (h - 1), 32);
            long k = ByteBuffer.wrap(d).getLong();
            int i = (int) (k & (slots - 1));
            while (heights[i] != 0) i = (i + 1) & (slots - 1);
            index[i] = k;
            heights[i] = h;
        }
        s.serve(c -> block(c).or(() -> s.replica().crdt().replication().block(c)));
        s.event("event chain " + cid(depth) + " depth " + depth + " built in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
    }

    @Override
    public void run(HostileNode.Stack s) throws Exception {
        String topic = PubSubBroadcaster.topic("");
        byte[] announcement = new CrdtBroadcast(List.of(new CrdtBroadcast.Announced(cid(depth), ""))).toBytes();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.flag("seconds", 6));
        int sent = 0;
        while (System.nanoTime() < end && !s.host().connections().isEmpty()) {
            s.replica().pubsub().publish(topic, announcement).get(10, TimeUnit.SECONDS);
            sent++;
            s.event("event announced " + cid(depth));
            Thread.sleep(500); // the adversary's own pace
        }
        s.event("done announced " + sent + " connected " + s.host().connections().size());
    }

    /** The bytes of the chain's block named {@code c}, if it is one. */
    Optional<byte[]> block(Cid c) {
        byte[] d = c.multihash().digest();
        if (c.codec() != Cid.DAG_PB || d.length != 32) return Optional.empty();
        long k = ByteBuffer.wrap(d).getLong();
        for (int i = (int) (k & (index.length - 1)); heights[i] != 0; i = (i + 1) & (index.length - 1)) {
            int h = heights[i];
            if (index[i] == k && Arrays.equals(digests, 32 * (h - 1), 32 * h, d, 0, 32)) return Optional.of(bytes(h));
        }
        return Optional.empty();
    }

    private Cid cid(int h) {
        return Cid.v1(Cid.DAG_PB, new Multihash(Multihash.SHA2_256, Arrays.copyOfRange(digests, 32 * (h - 1), 32 * h)));
    }

    private byte[] bytes(int h) {
        List<Cid> links = h == 1 ? List.of() : List.of(cid(h - 1));
        Delta delta = new Delta(List.of(Element.of(key, ByteBuffer.allocate(8).putLong(h).array())), List.of(), h, "");
        return Block.encode(links, delta);
    }
}
