package io.warpstats.node.core;

import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.pubsub.Rpc;
import io.warpstats.replication.PubSubBroadcaster;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Floods announcements at {@code --rate} messages a second in all (default 100,000) for
 * {@code --seconds} (default 5), in RPCs of {@value #PER_RPC} messages written straight onto
 * gossipsub streams to every dialed peer: first {@value #VALID} validly signed announcements of
 * heads that exist nowhere (distinct sequence numbers), then announcements with a forged
 * signature, each naming {@code --heads} (default 16) made-up heads, so an RPC is close to the
 * 1 MiB frame limit. Prints the rate it reached.
 */
final class Flooder implements Misbehaviour {
    static final int PER_RPC = 1000;
    static final int VALID = 2000;

    @Override
    public void run(HostileNode.Stack s) throws Exception {
        String topic = PubSubBroadcaster.topic("");
        Random random = new Random(15);
        long rate = s.flag("rate", 100_000);
        int heads = (int) s.flag("heads", 16);
        long seqno = System.nanoTime();
        List<Rpc.Message> valid = new ArrayList<>();
        for (int i = 0; i < VALID; i++) {
            valid.add(RawGossip.signed(s.key(), s.self(), topic, announcement(random, 1), seqno++));
        }
        byte[] data = announcement(random, heads);
        byte[] garbage = new byte[64];
        random.nextBytes(garbage);
        long sent = 0;
        try (RawGossip g = RawGossip.open(s.host(), s.peers())) {
            long t0 = System.nanoTime();
            long end = t0 + TimeUnit.SECONDS.toNanos(s.flag("seconds", 5));
            long nanosPerRpc = TimeUnit.SECONDS.toNanos(1) * PER_RPC / rate;
            boolean[] dead = new boolean[g.size()];
            int alive = g.size();
            for (long next = t0, k = 0; System.nanoTime() < end && alive > 0; next += nanosPerRpc, k++) {
                int target = (int) (k % g.size());
                if (dead[target]) continue;
                List<Rpc.Message> batch = new ArrayList<>(PER_RPC);
                for (int i = 0; i < PER_RPC; i++) {
                    batch.add(sent + i < VALID ? valid.get((int) (sent + i)) : RawGossip.forged(s.self(), topic, data, seqno++, garbage));
                }
                if (g.send(target, Rpc.ofMessages(batch))) {
                    sent += PER_RPC;
                } else {
                    dead[target] = true; // the peer reset the stream or closed the connection
                    alive--;
                }
                long wait = next - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait); // the adversary's own pace
            }
            long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            s.event("done flooded " + sent + " in " + ms + " ms rate " + sent * 1000 / ms);
        }
    }

    /** A CRDT announcement of {@code n} random heads (CIDs of nothing). */
    static byte[] announcement(Random random, int n) {
        List<CrdtBroadcast.Announced> hs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] junk = new byte[16];
            random.nextBytes(junk);
            hs.add(new CrdtBroadcast.Announced(Cid.ofDagPb(junk), ""));
        }
        return new CrdtBroadcast(hs).toBytes();
    }
}
