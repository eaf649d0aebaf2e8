package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A deterministic network of in-memory routers: a virtual clock, one event queue, a fixed latency
 * per link (so links are FIFO; {@code linkJitterMs} makes links differ), heartbeats every second per node (staggered), and every RPC
 * encoded and decoded on its way (so the codec is exercised too). A drop filter can lose RPCs.
 */
final class SimNetwork {
    interface DropFilter {
        boolean drop(PeerId from, PeerId to, Rpc rpc);
    }

    private record Event(long at, long seq, Runnable action) {}

    final class Node implements GossipRouter.Output {
        final PeerId id;
        final GossipRouter router;
        final List<PubSubMessage> delivered = new ArrayList<>();
        final List<PubSubEvent> events = new ArrayList<>();

        Node(PrivateKey key, GossipParams params, long seed) {
            this.id = PeerId.fromPublicKey(key.publicKey());
            this.router = new GossipRouter(id, key, params, () -> now, new Random(seed), this);
        }

        @Override
        public void send(PeerId to, Rpc rpc) {
            sent++;
            if (drop.drop(id, to, rpc)) return;
            messageCopies += rpc.publish().size();
            if (rpc.control() != null) idontwants += rpc.control().idontwant().size();
            byte[] bytes = rpc.encode();
            long delay = latencyMs + linkExtra.getOrDefault(key(id, to), 0L);
            if (bytesPerMs > 0) { // the link sends one RPC after the other: FIFO, later RPCs wait
                String k = key(id, to);
                long start = Math.max(now, linkBusyUntil.getOrDefault(k, 0L));
                long done = start + (bytes.length + bytesPerMs - 1) / bytesPerMs;
                linkBusyUntil.put(k, done);
                delay += done - now;
            }
            schedule(delay, () -> {
                Node dst = nodes.get(to);
                if (dst == null || !links.containsKey(key(id, to))) return;
                try {
                    dst.router.onRpc(id, RpcCodec.decode(bytes, RpcCodec.Limits.of(GossipParams.defaults())));
                } catch (MalformedRpcException e) {
                    throw new AssertionError(e);
                }
            });
        }

        @Override
        public void deliver(PubSubMessage message) { delivered.add(message); }

        @Override
        public void event(PubSubEvent event) { events.add(event); }

        @Override
        public void later(long millis, Runnable task) { schedule(millis, task); }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Map<PeerId, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Boolean> links = new HashMap<>();
    private final Random random;
    long now = 1_000_000;
    private long seq;
    long latencyMs = 5;
    /** Each link connected from now on gets a fixed extra latency of 0..linkJitterMs (both directions alike; links stay FIFO). */
    long linkJitterMs;
    private final Map<String, Long> linkExtra = new HashMap<>();
    /** Bandwidth of every link in bytes per virtual millisecond; 0: unlimited (an RPC takes no time to send). */
    long bytesPerMs;
    private final Map<String, Long> linkBusyUntil = new HashMap<>();
    long sent;
    /** Messages carried by all links (a message sent to 3 peers counts 3). */
    long messageCopies;
    /** IDONTWANT entries sent on all links. */
    long idontwants;
    /** The protocol of {@link #connect(Node, Node)}. */
    PubSubProtocol protocol = PubSubProtocol.MESHSUB_V11;
    DropFilter drop = (a, b, r) -> false;

    SimNetwork(long seed) { this.random = new Random(seed); }

    Node addNode(GossipParams params) {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        Node n = new Node(PrivateKey.fromSeed(seed), params, random.nextLong());
        nodes.put(n.id, n);
        long offset = random.nextInt(1000);
        scheduleHeartbeat(n, offset, params.heartbeatInterval().toMillis());
        return n;
    }

    List<Node> addNodes(int count, GossipParams params) {
        List<Node> l = new ArrayList<>();
        for (int i = 0; i < count; i++) l.add(addNode(params));
        return l;
    }

    private void scheduleHeartbeat(Node n, long delay, long interval) {
        schedule(delay, () -> {
            if (nodes.get(n.id) != n) return;
            n.router.heartbeat();
            scheduleHeartbeat(n, interval, interval);
        });
    }

    void connect(Node dialer, Node listener) { connect(dialer, listener, protocol); }

    void connect(Node dialer, Node listener, PubSubProtocol protocol) {
        if (dialer == listener || links.containsKey(key(dialer.id, listener.id))) return;
        links.put(key(dialer.id, listener.id), true);
        links.put(key(listener.id, dialer.id), true);
        if (linkJitterMs > 0) {
            long extra = random.nextInt((int) linkJitterMs + 1);
            linkExtra.put(key(dialer.id, listener.id), extra);
            linkExtra.put(key(listener.id, dialer.id), extra);
        }
        dialer.router.addPeer(listener.id, protocol, true);
        listener.router.addPeer(dialer.id, protocol, false);
    }

    void disconnect(Node a, Node b) {
        links.remove(key(a.id, b.id));
        links.remove(key(b.id, a.id));
        a.router.removePeer(b.id);
        b.router.removePeer(a.id);
    }

    /** Connects every node to {@code degree} random others (at least). */
    void connectRandomly(List<Node> ns, int degree) {
        for (Node n : ns) {
            int tries = 0;
            while (tries++ < degree * 4 && countLinks(n) < degree) connect(n, ns.get(random.nextInt(ns.size())));
        }
    }

    private long countLinks(Node n) {
        return nodes.keySet().stream().filter(p -> links.containsKey(key(n.id, p))).count();
    }

    void schedule(long delayMs, Runnable action) { queue.add(new Event(now + delayMs, seq++, action)); }

    /** Runs every event due within {@code ms} of virtual time. */
    void run(long ms) {
        long end = now + ms;
        int guard = 0;
        while (!queue.isEmpty() && queue.peek().at <= end) {
            if (++guard > 50_000_000) throw new AssertionError("event storm");
            Event e = queue.poll();
            now = e.at;
            e.action.run();
        }
        now = end;
    }

    Random random() { return random; }

    private static String key(PeerId a, PeerId b) { return a + ">" + b; }
}
