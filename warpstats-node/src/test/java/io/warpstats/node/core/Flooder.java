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
 * Floods announcements straight onto gossipsub streams to every dialed peer, in RPCs of
 * {@value #PER_RPC} messages sent in turn over the streams. First, for {@code --seconds} (default 4),
 * at {@code --rate} messages a second in all (default 100,000): {@value #VALID} validly signed
 * announcements of heads that exist nowhere (distinct sequence numbers), then announcements of one
 * made-up head with a forged signature (about 190 bytes each). Then, for half as long and as fast as
 * the streams take them, announcements of {@value #HEADS} made-up heads (RPCs just under the 1 MiB
 * frame limit: what the receiver must buffer). The frames are encoded before each phase and sent in
 * turn. Prints the rate each phase reached.
 */
final class Flooder implements Misbehaviour {
    static final int PER_RPC = 1000;
    static final int VALID = 2000;
    /** Distinct frames sent in turn ({@value} × {@value #PER_RPC} distinct messages; later copies are duplicates by id). */
    static final int FRAMES = 40;
    /** Heads per announcement of the second phase: {@value #PER_RPC} of them make an RPC just under the 1 MiB frame limit. */
    static final int HEADS = 21;

    @Override
    public void run(HostileNode.Stack s) throws Exception {
        String topic = PubSubBroadcaster.topic("");
        Random random = new Random(15);
        long seqno = System.nanoTime();
        List<Rpc.Message> valid = new ArrayList<>();
        for (int i = 0; i < VALID; i++) {
            valid.add(RawGossip.signed(s.key(), s.self(), topic, announcement(random, 1), seqno++));
        }
        byte[] garbage = new byte[64];
        random.nextBytes(garbage);
        try (RawGossip g = RawGossip.open(s.host(), s.peers())) {
            List<byte[]> small = frames(valid, announcement(random, 1), s, topic, seqno, garbage);
            flood(s, g, "rate", small, s.flag("rate", 100_000), s.flag("seconds", 4));
            List<byte[]> large = frames(List.of(), announcement(random, HEADS), s, topic, seqno + FRAMES * PER_RPC, garbage);
            flood(s, g, "large", large, Long.MAX_VALUE / PER_RPC, s.flag("seconds", 4) / 2 + 1);
        }
        s.event("done flood");
    }

    /** {@value #FRAMES} encoded RPCs of {@value #PER_RPC} messages: first {@code valid}, then forged ones carrying {@code data}. */
    private static List<byte[]> frames(List<Rpc.Message> valid, byte[] data, HostileNode.Stack s, String topic, long seqno, byte[] garbage) {
        List<byte[]> frames = new ArrayList<>(); // encoded once: the flood's pace is not bounded by its own encoding
        for (int f = 0; f < FRAMES; f++) {
            List<Rpc.Message> batch = new ArrayList<>(PER_RPC);
            for (int i = 0; i < PER_RPC; i++) {
                int n = f * PER_RPC + i;
                batch.add(n < valid.size() ? valid.get(n) : RawGossip.forged(s.self(), topic, data, seqno + n, garbage));
            }
            frames.add(Rpc.ofMessages(batch).encode());
        }
        return frames;
    }

    /** Sends {@code frames} in turn, spread over the streams, at {@code rate} messages a second for {@code seconds}. */
    private static void flood(HostileNode.Stack s, RawGossip g, String phase, List<byte[]> frames, long rate, long seconds)
            throws InterruptedException {
        long sent = 0;
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
        long nanosPerRpc = TimeUnit.SECONDS.toNanos(1) * PER_RPC / rate;
        boolean[] dead = new boolean[g.size()];
        int alive = g.size();
        for (long next = t0, k = 0; System.nanoTime() < end && alive > 0; next += nanosPerRpc, k++) {
            int target = (int) (k % g.size());
            if (dead[target]) continue;
            if (g.send(target, frames.get((int) (k % FRAMES)))) {
                sent += PER_RPC;
            } else {
                dead[target] = true; // the peer reset the stream or closed the connection
                alive--;
            }
            long wait = next - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait); // the adversary's own pace
        }
        long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        s.event("event flooded " + phase + " " + sent + " in " + ms + " ms rate " + sent * 1000 / ms + " frame bytes "
                + frames.get(FRAMES - 1).length + " streams open " + alive);
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
