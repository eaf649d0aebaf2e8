package io.warpstats.node.core;

import io.warpstats.crdt.Block;
import io.warpstats.crdt.Delta;
import io.warpstats.crdt.Element;
import io.warpstats.crdt.Head;
import io.warpstats.stats.SlotKey;
import io.warpstats.stats.Stat;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Serves blocks whose bytes do not match their CID: its sync server is replaced by one that answers
 * every block with the value of each element raised by a million (same links, same signature, so
 * the answer still decodes and walks). It writes honest, signed blocks of its own counter slots
 * ({@value #POSTS} posts per block: more than 2 KiB, so no block rides in an announcement and every
 * receiver has to fetch it) every 200 ms for {@code --seconds} (default 6) or until no peer is
 * connected.
 */
final class CorruptServer implements Misbehaviour {
    static final int POSTS = 64;
    static final String POST_PREFIX = "corrupt-";

    @Override
    public void prepare(HostileNode.Stack s) {
        s.serve(cid -> s.replica().crdt().replication().block(cid).map(CorruptServer::alter));
    }

    @Override
    public void run(HostileNode.Stack s) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.flag("seconds", 6));
        int blocks = 0;
        while (System.nanoTime() < end && !s.host().connections().isEmpty()) {
            blocks++;
            for (int p = 0; p < POSTS; p++) {
                String key = new SlotKey(true, Stat.VIEWS, POST_PREFIX + p, s.self().toString(), "i0").key();
                s.replica().crdt().put(key, ByteBuffer.allocate(8).putLong(blocks).array());
            }
            s.replica().crdt().flush().get(10, TimeUnit.SECONDS);
            for (Head h : s.replica().crdt().heads()) s.event("event wrote " + h.cid());
            Thread.sleep(200); // the adversary's own pace
        }
        s.event("done wrote " + blocks + " connected " + s.host().connections().size());
    }

    /** The same block with every element's value raised by a million: another hash, still a decodable block. */
    static byte[] alter(byte[] bytes) {
        Block b = Block.decode(bytes);
        Delta d = b.delta();
        List<Element> raised = new ArrayList<>();
        for (Element e : d.elements()) {
            long v = e.value().length == 8 ? ByteBuffer.wrap(e.value()).getLong() : 0;
            raised.add(new Element(e.key(), e.id(), ByteBuffer.allocate(8).putLong(v + 1_000_000).array()));
        }
        Delta altered = new Delta(raised, d.tombstones(), d.priority(), d.dagName(), d.author(), d.signature());
        return Block.encode(b.links(), altered);
    }
}
