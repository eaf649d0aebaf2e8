package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.PeerId;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Gossipsub v1.1 peer scoring: P1 time in mesh, P2 first deliveries, P3 mesh delivery deficit,
 * P3b mesh failure penalty, P4 invalid messages and P7 behaviour penalty (P5 application and P6
 * IP colocation are not used). Counters decay every decay interval; the counters of a
 * disconnected peer are retained for {@code retainScore} so reconnecting does not clear them.
 * Delivery records (which peers delivered a message and whether it was valid) live for the
 * seen TTL and let duplicates count for P3 or P4.
 */
final class PeerScore {
    enum Status { VALID, INVALID, IGNORED }

    private static final class TopicStats {
        boolean inMesh;
        long graftTime;
        long meshTime;
        boolean meshActive;
        double firstDeliveries;
        double meshDeliveries;
        double meshFailurePenalty;
        double invalidDeliveries;
    }

    private static final class PeerStats {
        boolean connected = true;
        long expire;
        final Map<String, TopicStats> topics = new HashMap<>();
        double behaviourPenalty;
    }

    private record Delivery(Status status, String topic, long firstSeen, Set<PeerId> peers) {}

    private record Expiring(long at, MessageId id) {}

    private final ScoreParams p;
    private final long seenTtl;
    private final Map<PeerId, PeerStats> peers = new HashMap<>();
    private final Map<MessageId, Delivery> deliveries = new HashMap<>();
    private final ArrayDeque<Expiring> deliveryExpiry = new ArrayDeque<>();
    private long lastDecay;

    PeerScore(ScoreParams params, long seenTtlMillis, long now) {
        this.p = params;
        this.seenTtl = seenTtlMillis;
        this.lastDecay = now;
    }

    void addPeer(PeerId peer) {
        PeerStats s = peers.computeIfAbsent(peer, k -> new PeerStats());
        s.connected = true;
    }

    void removePeer(PeerId peer, long now) {
        PeerStats s = peers.get(peer);
        if (s == null) return;
        for (TopicStats t : s.topics.values()) if (t.inMesh) leaveMesh(t);
        s.connected = false;
        s.expire = now + p.retainScore().toMillis();
    }

    void graft(PeerId peer, String topic, long now) {
        TopicStats t = topic(peer, topic);
        if (t == null) return;
        t.inMesh = true;
        t.graftTime = now;
        t.meshTime = 0;
        t.meshActive = false;
    }

    void prune(PeerId peer, String topic) {
        PeerStats s = peers.get(peer);
        TopicStats t = s == null ? null : s.topics.get(topic);
        if (t != null && t.inMesh) leaveMesh(t);
    }

    private void leaveMesh(TopicStats t) {
        if (t.meshActive && t.meshDeliveries < p.meshMessageDeliveriesThreshold()) {
            double deficit = p.meshMessageDeliveriesThreshold() - t.meshDeliveries;
            t.meshFailurePenalty += deficit * deficit;
        }
        t.inMesh = false;
    }

    /** A message delivered for the first time by {@code peer}; {@code status} is the validation verdict. */
    void firstDelivery(PeerId peer, String topic, MessageId id, Status status, long now) {
        Set<PeerId> ps = new HashSet<>();
        ps.add(peer);
        if (deliveries.putIfAbsent(id, new Delivery(status, topic, now, ps)) == null) {
            deliveryExpiry.add(new Expiring(now + seenTtl, id));
        }
        TopicStats t = topic(peer, topic);
        if (t == null) return;
        switch (status) {
            case VALID -> {
                t.firstDeliveries = Math.min(p.firstMessageDeliveriesCap(), t.firstDeliveries + 1);
                if (t.inMesh) t.meshDeliveries = Math.min(p.meshMessageDeliveriesCap(), t.meshDeliveries + 1);
            }
            case INVALID -> t.invalidDeliveries += 1;
            case IGNORED -> { }
        }
    }

    /** A message that was seen before, delivered again by {@code peer}. */
    void duplicate(PeerId peer, MessageId id, long now) {
        Delivery d = deliveries.get(id);
        if (d == null || !d.peers().add(peer)) return;
        TopicStats t = topic(peer, d.topic());
        if (t == null) return;
        if (d.status() == Status.INVALID) {
            t.invalidDeliveries += 1;
        } else if (d.status() == Status.VALID && t.inMesh && now - d.firstSeen() <= p.meshMessageDeliveriesWindow().toMillis()) {
            t.meshDeliveries = Math.min(p.meshMessageDeliveriesCap(), t.meshDeliveries + 1);
        }
    }

    /** A message with a bad signature or malformed fields: penalize the sender, but do not record the (forgeable) id. */
    void invalidUnrecorded(PeerId peer, @Nullable String topic) {
        TopicStats t = topic == null ? null : topic(peer, topic);
        if (t != null) t.invalidDeliveries += 1;
        else addPenalty(peer, 1);
    }

    void addPenalty(PeerId peer, double count) {
        PeerStats s = peers.get(peer);
        if (s != null) s.behaviourPenalty += count;
    }

    /** The score; 0 for unknown peers. */
    double score(PeerId peer, long now) {
        PeerStats s = peers.get(peer);
        if (s == null) return 0;
        double score = 0;
        for (TopicStats t : s.topics.values()) {
            double ts = 0;
            if (t.inMesh) {
                double quanta = (now - t.graftTime) / (double) p.timeInMeshQuantum().toMillis();
                ts += p.timeInMeshWeight() * Math.min(quanta, p.timeInMeshCap());
            }
            ts += p.firstMessageDeliveriesWeight() * t.firstDeliveries;
            if (t.inMesh && t.meshActive && t.meshDeliveries < p.meshMessageDeliveriesThreshold()) {
                double deficit = p.meshMessageDeliveriesThreshold() - t.meshDeliveries;
                ts += p.meshMessageDeliveriesWeight() * deficit * deficit;
            }
            ts += p.meshFailurePenaltyWeight() * t.meshFailurePenalty;
            ts += p.invalidMessageDeliveriesWeight() * t.invalidDeliveries * t.invalidDeliveries;
            score += ts * p.topicWeight();
        }
        if (p.topicScoreCap() > 0 && score > p.topicScoreCap()) score = p.topicScoreCap();
        if (s.behaviourPenalty > p.behaviourPenaltyThreshold()) {
            double excess = s.behaviourPenalty - p.behaviourPenaltyThreshold();
            score += p.behaviourPenaltyWeight() * excess * excess;
        }
        return score;
    }

    /** Called every heartbeat: activates P3, decays counters once per decay interval, drops expired state. */
    void refresh(long now) {
        for (PeerStats s : peers.values()) {
            for (TopicStats t : s.topics.values()) {
                if (t.inMesh) {
                    t.meshTime = now - t.graftTime;
                    if (t.meshTime >= p.meshMessageDeliveriesActivation().toMillis()) t.meshActive = true;
                }
            }
        }
        if (now - lastDecay >= p.decayInterval().toMillis()) {
            lastDecay = now;
            for (PeerStats s : peers.values()) {
                for (TopicStats t : s.topics.values()) {
                    t.firstDeliveries = decay(t.firstDeliveries, p.firstMessageDeliveriesDecay());
                    t.meshDeliveries = decay(t.meshDeliveries, p.meshMessageDeliveriesDecay());
                    t.meshFailurePenalty = decay(t.meshFailurePenalty, p.meshFailurePenaltyDecay());
                    t.invalidDeliveries = decay(t.invalidDeliveries, p.invalidMessageDeliveriesDecay());
                }
                s.behaviourPenalty = decay(s.behaviourPenalty, p.behaviourPenaltyDecay());
            }
        }
        peers.values().removeIf(s -> !s.connected && s.expire <= now);
        Iterator<Expiring> it = deliveryExpiry.iterator();
        while (it.hasNext()) {
            Expiring e = it.next();
            if (e.at() > now) break;
            deliveries.remove(e.id());
            it.remove();
        }
    }

    private double decay(double v, double factor) {
        double d = v * factor;
        return d < p.decayToZero() ? 0 : d;
    }

    private static final int MAX_TOPICS_TRACKED = 1024;

    private @Nullable TopicStats topic(PeerId peer, String topic) {
        PeerStats s = peers.get(peer);
        if (s == null) return null;
        TopicStats t = s.topics.get(topic);
        if (t == null && s.topics.size() < MAX_TOPICS_TRACKED) {
            t = new TopicStats();
            s.topics.put(topic, t);
        }
        return t;
    }
}
