package io.warpstats.bench.sim;

import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.pubsub.PubSubMessage;
import io.warpstats.p2p.pubsub.SimulatedRouter;
import io.warpstats.replication.HeadAnnouncer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated node: its identity, its gossipsub router, one engine per followed shard, its links and
 * what it received. Mutated only on the simulation's thread.
 */
final class SimNode {
    /** Distinct peers remembered as announcers of one CID (fetch candidates). */
    static final int MAX_ANNOUNCERS = 8;

    /** One followed shard: the engine, its store, its topic, and the peers that announced heads not held yet. */
    static final class Replica {
        final int shard;
        final String topic;
        final KvStore store;
        MerkleCrdt crdt;
        /** Decides which heads the engine's announcements carry and when (the production rules). */
        HeadAnnouncer announcer;
        /** A flush is scheduled (the pending delta is waiting for the flush delay). */
        boolean flushArmed;
        /** Heads announced and not held when announced → the neighbours that forwarded their announcement. */
        final Map<Cid, List<PeerId>> announcers = new HashMap<>();

        Replica(int shard, String topic, KvStore store) {
            this.shard = shard;
            this.topic = topic;
            this.store = store;
        }
    }

    final int index;
    final PrivateKey key;
    final PeerId id;
    /** The node id in counter-slot keys (the peer id, base58). */
    final String nodeId;
    final String incarnation;
    final boolean observer;
    SimulatedRouter router;
    /** Followed shard → replica, in shard order. */
    final Map<Integer, Replica> replicas = new LinkedHashMap<>();
    final Map<String, Replica> byTopic = new HashMap<>();
    /** Neighbour → one-way latency of the link in ms, in connection order. */
    final Map<PeerId, Long> links = new LinkedHashMap<>();
    /** This node's running view total per post (the value of its counter slot). */
    final Map<String, Long> viewTotals = new HashMap<>();

    /** Gossipsub RPCs received and their bytes (each with its length prefix) since the last reset. */
    long gossipMessagesIn, gossipBytesIn;
    /** Sync frames received (requests served and answers) and their bytes since the last reset. */
    long syncMessagesIn, syncBytesIn;

    SimNode(int index, PrivateKey key, String incarnation, boolean observer) {
        this.index = index;
        this.key = key;
        this.id = PeerId.fromPublicKey(key.publicKey());
        this.nodeId = id.toString();
        this.incarnation = incarnation;
        this.observer = observer;
    }

    void addReplica(Replica r) {
        replicas.put(r.shard, r);
        byTopic.put(r.topic, r);
    }

    /** A verified announcement from gossipsub: remembers who forwarded heads not held yet, then hands it to the engine. */
    void onAnnouncement(PubSubMessage m) {
        Replica r = byTopic.get(m.topic());
        if (r == null) return;
        CrdtBroadcast b;
        try {
            b = CrdtBroadcast.parse(m.data());
        } catch (IllegalArgumentException e) {
            return; // cannot happen: every node of the simulation is honest
        }
        List<Cid> unknown = new ArrayList<>();
        for (CrdtBroadcast.Announced h : b.heads()) {
            if (r.crdt.replication().hasBlock(h.cid())) continue;
            unknown.add(h.cid());
            List<PeerId> l = r.announcers.computeIfAbsent(h.cid(), k -> new ArrayList<>(2));
            if (l.size() < MAX_ANNOUNCERS && !l.contains(m.receivedFrom())) l.add(m.receivedFrom());
        }
        r.announcer.heard(b.heads()); // before the merge: a head not held yet tells the replicas differ
        r.crdt.replication().onBroadcast(b);
        for (Cid c : unknown) if (r.crdt.replication().hasBlock(c)) r.announcers.remove(c); // merged from the push
    }

    long bytesIn() { return gossipBytesIn + syncBytesIn; }

    long messagesIn() { return gossipMessagesIn + syncMessagesIn; }

    void resetCounters() {
        gossipMessagesIn = gossipBytesIn = syncMessagesIn = syncBytesIn = 0;
    }

    /** Key and value bytes in the stores of every followed shard (blocks, heads, state, indexes). */
    long storedBytes() {
        long[] sum = {0};
        for (Replica r : replicas.values()) {
            r.store.scan(new byte[0], (k, v) -> {
                sum[0] += k.length + v.length;
                return true;
            });
        }
        return sum[0];
    }
}
