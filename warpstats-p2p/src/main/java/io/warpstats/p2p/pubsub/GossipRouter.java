package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.pubsub.Rpc.ControlGraft;
import io.warpstats.p2p.pubsub.Rpc.ControlIDontWant;
import io.warpstats.p2p.pubsub.Rpc.ControlIHave;
import io.warpstats.p2p.pubsub.Rpc.ControlIWant;
import io.warpstats.p2p.pubsub.Rpc.ControlMessage;
import io.warpstats.p2p.pubsub.Rpc.ControlPrune;
import io.warpstats.p2p.pubsub.Rpc.Message;
import io.warpstats.p2p.pubsub.Rpc.SubOpts;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The gossipsub v1.2 router as a transport-independent state machine. It is driven by events
 * (peer added/removed, RPC received, heartbeat, local subscribe/publish) and emits RPCs,
 * deliveries and events to an {@link Output}. Not thread-safe: one thread (the pubsub event
 * loop, or a test's deterministic scheduler) calls it. Time comes from the clock given; all
 * randomness from the {@link Random} given, so a seeded router is deterministic.
 *
 * <p>Per peer the negotiated protocol decides the behaviour: gossipsub peers (v1.2, v1.1, v1.0) join
 * meshes and exchange control messages (v1.0 PRUNEs carry no backoff; only v1.2 peers are sent
 * IDONTWANT); floodsub peers get every message of the topics they subscribed to and never control
 * messages. A message is never forwarded nor served by IWANT to a peer that sent IDONTWANT for it.
 */
final class GossipRouter {

    /** Where the router's effects go. Called on the router's thread. */
    interface Output {
        void send(PeerId to, Rpc rpc);
        void deliver(PubSubMessage message);
        void event(PubSubEvent event);

        /** Runs {@code task} on the router's thread after {@code millis} (a delayed forward). */
        void later(long millis, Runnable task);
    }

    private static final class PeerState {
        final PubSubProtocol protocol;
        final boolean outbound;
        final Set<String> topics = new LinkedHashSet<>();
        int ihavesThisBeat;
        int idsAskedThisBeat;

        PeerState(PubSubProtocol protocol, boolean outbound) {
            this.protocol = protocol;
            this.outbound = outbound;
        }
    }

    private final PeerId self;
    private final byte[] selfBytes;
    private final PrivateKey key;
    private final GossipParams params;
    private final ScoreParams sp;
    private final LongSupplier clock;
    private final Random random;
    private final Output out;

    private final Map<PeerId, PeerState> peers = new LinkedHashMap<>();
    private final Map<String, Set<PeerId>> topicPeers = new HashMap<>();
    private final Set<String> subscriptions = new LinkedHashSet<>();
    private final Map<String, Set<PeerId>> mesh = new LinkedHashMap<>();
    private final Map<String, Set<PeerId>> fanout = new LinkedHashMap<>();
    private final Map<String, Long> fanoutLastPublished = new HashMap<>();
    private final Map<String, Map<PeerId, Long>> backoff = new HashMap<>();
    private final Promises promises = new Promises();
    private final TopicValidators validators = new TopicValidators();
    private final MessageCache mcache;
    private final SeenCache seen;
    /** Counters read by other threads ({@link PubSubMetrics}); written on the loop only. */
    final java.util.concurrent.atomic.LongAdder delivered = new java.util.concurrent.atomic.LongAdder(),
            invalid = new java.util.concurrent.atomic.LongAdder(), duplicates = new java.util.concurrent.atomic.LongAdder(),
            graylisted = new java.util.concurrent.atomic.LongAdder(), droppedOutbound = new java.util.concurrent.atomic.LongAdder();
    private final PeerScore score;
    private final DontWantSet dontWant;
    private long seqno;
    private long heartbeats;

    GossipRouter(PeerId self, PrivateKey key, GossipParams params, LongSupplier clock, Random random, Output out) {
        this(self, key, params, clock, random, out, System.currentTimeMillis() * 1_000_000L + random.nextInt(1_000_000)); // unique across restarts
    }

    /** A router whose first published message has seqno {@code lastSeqno + 1} (a simulation's, independent of the wall clock). */
    GossipRouter(PeerId self, PrivateKey key, GossipParams params, LongSupplier clock, Random random, Output out, long lastSeqno) {
        this.self = self;
        this.selfBytes = self.toBytes();
        this.key = key;
        this.params = params;
        this.sp = params.score();
        this.clock = clock;
        this.random = random;
        this.out = out;
        this.mcache = new MessageCache(params.mcacheLength(), params.mcacheGossip());
        this.seen = new SeenCache(params.seenTtl().toMillis(), params.seenMaxEntries());
        this.score = new PeerScore(sp, params.seenTtl().toMillis(), clock.getAsLong());
        this.dontWant = new DontWantSet(params.maxIdontwantPerHeartbeat(), params.mcacheLength());
        this.seqno = lastSeqno;
    }

    // ------------------------------------------------------------------ peers

    /** A peer reachable over {@code protocol}; {@code outbound} when we dialed it. Sends it our subscriptions. */
    void addPeer(PeerId peer, PubSubProtocol protocol, boolean outbound) {
        if (peers.containsKey(peer) || peer.equals(self)) return;
        peers.put(peer, new PeerState(protocol, outbound));
        score.addPeer(peer);
        out.event(new PubSubEvent.PeerAdded(peer, protocol));
        if (!subscriptions.isEmpty()) {
            List<SubOpts> subs = new ArrayList<>();
            for (String t : subscriptions) subs.add(new SubOpts(true, t));
            out.send(peer, Rpc.ofSubscriptions(subs));
        }
    }

    void removePeer(PeerId peer) {
        PeerState ps = peers.remove(peer);
        if (ps == null) return;
        for (String t : ps.topics) {
            Set<PeerId> tp = topicPeers.get(t);
            if (tp != null && tp.remove(peer) && tp.isEmpty()) topicPeers.remove(t);
        }
        for (Set<PeerId> m : mesh.values()) m.remove(peer);
        for (Set<PeerId> f : fanout.values()) f.remove(peer);
        promises.removePeer(peer);
        dontWant.removePeer(peer);
        score.removePeer(peer, clock.getAsLong());
        out.event(new PubSubEvent.PeerRemoved(peer));
    }

    /** The peer sent bytes that are not a valid RPC: a behaviour penalty. */
    void onMalformedRpc(PeerId peer) { score.addPenalty(peer, 1); }

    /** An RPC to {@code peer} dropped, its queue full: counted, not penalized (a slowed peer is no offender; docs/decisions.md). */
    void onOutboundOverflow(PeerId peer) { droppedOutbound.increment(); }

    // ------------------------------------------------------------------ local API

    void subscribe(String topic) {
        if (!subscriptions.add(topic)) return;
        broadcastSubscription(topic, true);
        Set<PeerId> m = new LinkedHashSet<>();
        Set<PeerId> fan = fanout.remove(topic);
        fanoutLastPublished.remove(topic);
        long now = clock.getAsLong();
        if (fan != null) {
            for (PeerId p : fan) if (m.size() < params.d() && score.score(p, now) >= 0 && !inBackoff(topic, p, now)) m.add(p);
        }
        if (m.size() < params.d()) {
            for (PeerId p : shuffled(candidates(topic, m, now, 0.0))) {
                if (m.size() >= params.d()) break;
                m.add(p);
            }
        }
        mesh.put(topic, m);
        for (PeerId p : m) {
            score.graft(p, topic, now);
            out.send(p, Rpc.ofControl(new ControlMessage(List.of(), List.of(), List.of(new ControlGraft(topic)), List.of())));
        }
    }

    void unsubscribe(String topic) {
        if (!subscriptions.remove(topic)) return;
        broadcastSubscription(topic, false);
        Set<PeerId> m = mesh.remove(topic);
        if (m == null) return;
        long now = clock.getAsLong();
        for (PeerId p : m) {
            score.prune(p, topic);
            addBackoff(topic, p, params.unsubscribeBackoff().toMillis(), now);
            out.send(p, Rpc.ofControl(new ControlMessage(List.of(), List.of(), List.of(), List.of(prune(p, topic, params.unsubscribeBackoff().toSeconds())))));
        }
    }

    void addValidator(String topic, Validator v) { validators.add(topic, v); }

    /** Signs and sends a message of ours. */
    PublishResult publish(String topic, byte[] data) {
        if (data.length > params.maxMessageBytes()) {
            throw new IllegalArgumentException("message of " + data.length + " bytes exceeds " + params.maxMessageBytes());
        }
        long now = clock.getAsLong();
        Message m = MessageSigner.sign(key, self, topic, data, ++seqno);
        MessageId id = MessageSigner.messageId(m, params.messageIdScheme());
        seen.add(id, now);
        mcache.put(id, m);
        Set<PeerId> to = new LinkedHashSet<>();
        Set<PeerId> subscribed = topicPeers.getOrDefault(topic, Set.of());
        for (PeerId p : subscribed) {
            if (peers.get(p).protocol == PubSubProtocol.FLOODSUB || params.floodPublish()) {
                if (score.score(p, now) >= sp.publishThreshold()) to.add(p);
            }
        }
        if (!params.floodPublish()) {
            Set<PeerId> m2 = mesh.get(topic);
            if (m2 == null) {
                m2 = fanout.computeIfAbsent(topic, k -> new LinkedHashSet<>());
                if (m2.isEmpty()) {
                    for (PeerId p : shuffled(candidates(topic, m2, now, sp.publishThreshold()))) {
                        if (m2.size() >= params.d()) break;
                        m2.add(p);
                    }
                }
            }
            to.addAll(m2);
        }
        if (!subscriptions.contains(topic)) fanoutLastPublished.put(topic, now);
        Rpc rpc = Rpc.ofMessages(List.of(m));
        for (PeerId p : to) out.send(p, rpc);
        return new PublishResult(id, new ArrayList<>(to));
    }

    Set<PeerId> peers(String topic) { return Set.copyOf(topicPeers.getOrDefault(topic, Set.of())); }

    Set<PeerId> mesh(String topic) { return Set.copyOf(mesh.getOrDefault(topic, Set.of())); }

    Set<String> topicsOf(PeerId peer) {
        PeerState ps = peers.get(peer);
        return ps == null ? Set.of() : Set.copyOf(ps.topics);
    }

    double score(PeerId peer) { return score.score(peer, clock.getAsLong()); }

    boolean hasPeer(PeerId peer) { return peers.containsKey(peer); }

    PeerId self() { return self; }

    // ------------------------------------------------------------------ inbound RPC

    void onRpc(PeerId from, Rpc rpc) {
        PeerState ps = peers.get(from);
        if (ps == null) return;
        long now = clock.getAsLong();
        if (score.score(from, now) < sp.graylistThreshold()) { graylisted.increment(); return; }
        for (SubOpts s : rpc.subscriptions()) handleSubscription(from, ps, s);
        for (Message m : rpc.publish()) handleMessage(from, m, now);
        if (rpc.control() != null && ps.protocol.isGossip()) handleControl(from, ps, rpc.control(), now);
    }

    private void handleSubscription(PeerId from, PeerState ps, SubOpts s) {
        String t = s.topicId();
        if (s.subscribe()) {
            if (ps.topics.contains(t) || ps.topics.size() >= params.maxTopicsPerPeer()) return;
            ps.topics.add(t);
            topicPeers.computeIfAbsent(t, k -> new LinkedHashSet<>()).add(from);
            out.event(new PubSubEvent.Subscribed(from, t));
        } else {
            if (!ps.topics.remove(t)) return;
            Set<PeerId> tp = topicPeers.get(t);
            if (tp != null && tp.remove(from) && tp.isEmpty()) topicPeers.remove(t);
            Set<PeerId> m = mesh.get(t);
            if (m != null && m.remove(from)) score.prune(from, t);
            Set<PeerId> f = fanout.get(t);
            if (f != null) f.remove(from);
            out.event(new PubSubEvent.Unsubscribed(from, t));
        }
    }

    private void handleMessage(PeerId from, Message m, long now) {
        String topic = m.topic();
        if (topic == null || m.dataLength() > params.maxMessageBytes()) {
            invalid.increment();
            score.invalidUnrecorded(from, topic != null && subscriptions.contains(topic) ? topic : null);
            return;
        }
        if (!subscriptions.contains(topic)) return; // not ours to validate or relay
        byte[] seq = m.seqno();
        if (m.from() == null || seq == null || seq.length != 8) {
            invalid.increment();
            score.invalidUnrecorded(from, topic);
            return;
        }
        MessageId id = MessageSigner.messageId(m, params.messageIdScheme());
        if (seen.contains(id)) { // duplicates are dropped before the (costly) signature check, as go and js do
            duplicates.increment();
            score.duplicate(from, id, now);
            return;
        }
        Optional<String> sigError = MessageSigner.verify(m);
        if (sigError.isPresent()) {
            invalid.increment();
            score.invalidUnrecorded(from, topic);
            return;
        }
        seen.add(id, now);
        if (java.util.Arrays.equals(m.from(), selfBytes)) return; // our own, echoed back
        PeerId author = PeerId.fromBytes(m.from());
        boolean dontWantSent = m.dataLength() >= params.idontwantMinBytes() && sendDontWant(topic, id, from, author);
        PubSubMessage pm = new PubSubMessage(topic, author, m.dataOrEmpty(),
                ByteBuffer.wrap(m.seqno()).getLong(), id, from);
        ValidationResult verdict = validators.validate(pm);
        promises.honoured(id); // any answer honours the promise, as long as it was correctly signed
        switch (verdict) {
            case REJECT -> score.firstDelivery(from, topic, id, PeerScore.Status.INVALID, now);
            case IGNORE -> score.firstDelivery(from, topic, id, PeerScore.Status.IGNORED, now);
            case ACCEPT -> {
                score.firstDelivery(from, topic, id, PeerScore.Status.VALID, now);
                mcache.put(id, m);
                delivered.increment();
                out.deliver(pm);
                long delay = params.forwardDelay().toMillis();
                if (dontWantSent && delay > 0) out.later(delay, () -> forward(m, id, topic, from, author));
                else forward(m, id, topic, from, author);
            }
        }
    }

    /**
     * Gossipsub v1.2: right after the first valid copy arrived (before validation, as the spec
     * suggests), tells the v1.2 mesh peers that may still send it to us, and the peers we asked for
     * it by IWANT (cancelling the request), that we have it. Not to the source nor the author, which
     * have it, nor to peers that said they have it. True when one was sent.
     */
    private boolean sendDontWant(String topic, MessageId id, PeerId source, PeerId author) {
        Set<PeerId> to = new LinkedHashSet<>(mesh.getOrDefault(topic, Set.of()));
        to.addAll(promises.asked(id));
        to.remove(source);
        to.remove(author);
        Rpc rpc = null;
        for (PeerId p : to) {
            PeerState ps = peers.get(p);
            if (ps == null || !ps.protocol.hasIdontwant() || dontWant.has(p, id)) continue;
            if (rpc == null) rpc = Rpc.ofControl(new ControlMessage(List.of(), List.of(), List.of(), List.of(),
                    List.of(new ControlIDontWant(List.of(id)))));
            out.send(p, rpc);
        }
        return rpc != null;
    }

    /** Forwards to the mesh and floodsub peers, except the source, the author and peers that said IDONTWANT. */
    private void forward(Message m, MessageId id, String topic, PeerId source, PeerId author) {
        Set<PeerId> to = new LinkedHashSet<>(mesh.getOrDefault(topic, Set.of()));
        for (PeerId p : topicPeers.getOrDefault(topic, Set.of())) {
            if (peers.get(p).protocol == PubSubProtocol.FLOODSUB) to.add(p);
        }
        to.remove(source);
        to.remove(author);
        Rpc rpc = Rpc.ofMessages(List.of(m));
        for (PeerId p : to) if (!dontWant.has(p, id)) out.send(p, rpc);
    }

    private void handleControl(PeerId from, PeerState ps, ControlMessage c, long now) {
        List<Message> answers = handleIWant(from, c.iwant(), now);
        List<MessageId> wanted = handleIHave(from, ps, c.ihave(), now);
        List<ControlPrune> prunes = handleGraft(from, ps, c.graft(), now);
        handlePrune(from, c.prune(), now);
        if (!c.idontwant().isEmpty()) dontWant.received(from, c.idontwant());
        for (Message m : answers) out.send(from, Rpc.ofMessages(List.of(m)));
        if (!wanted.isEmpty() || !prunes.isEmpty()) {
            List<ControlIWant> iwant = wanted.isEmpty() ? List.of() : List.of(new ControlIWant(wanted));
            out.send(from, Rpc.ofControl(new ControlMessage(List.of(), iwant, List.of(), prunes)));
        }
    }

    private List<MessageId> handleIHave(PeerId from, PeerState ps, List<ControlIHave> ihaves, long now) {
        if (ihaves.isEmpty() || score.score(from, now) < sp.gossipThreshold()) return List.of();
        if (++ps.ihavesThisBeat > params.maxIHaveMessages()) return List.of();
        if (ps.idsAskedThisBeat >= params.maxIHaveLength()) return List.of();
        Set<MessageId> want = new LinkedHashSet<>();
        for (ControlIHave ih : ihaves) {
            if (!mesh.containsKey(ih.topicId())) continue;
            for (MessageId id : ih.messageIds()) if (!seen.contains(id)) want.add(id);
        }
        if (want.isEmpty()) return List.of();
        List<MessageId> ids = new ArrayList<>(want);
        int budget = params.maxIHaveLength() - ps.idsAskedThisBeat;
        if (ids.size() > budget) {
            Collections.shuffle(ids, random);
            ids = new ArrayList<>(ids.subList(0, budget));
        }
        ps.idsAskedThisBeat += ids.size();
        // like go and js: one random id of the request is tracked as a promise
        MessageId promised = ids.get(random.nextInt(ids.size()));
        promises.track(promised, from, now + params.iwantFollowupTime().toMillis());
        return ids;
    }

    private List<Message> handleIWant(PeerId from, List<ControlIWant> iwants, long now) {
        if (iwants.isEmpty() || score.score(from, now) < sp.gossipThreshold()) return List.of();
        List<Message> msgs = new ArrayList<>();
        Set<MessageId> asked = new LinkedHashSet<>();
        for (ControlIWant w : iwants) asked.addAll(w.messageIds());
        for (MessageId id : asked) {
            if (dontWant.has(from, id)) continue;
            Message m = mcache.getForPeer(id, from, params.gossipRetransmission());
            if (m != null) msgs.add(m);
        }
        return msgs;
    }

    private List<ControlPrune> handleGraft(PeerId from, PeerState ps, List<ControlGraft> grafts, long now) {
        List<ControlPrune> prunes = new ArrayList<>();
        double s = score.score(from, now);
        for (ControlGraft g : grafts) {
            String topic = g.topicId();
            Set<PeerId> m = mesh.get(topic);
            if (m == null || m.contains(from)) continue; // unknown topic: ignore (spam hardening)
            Long until = backoff.getOrDefault(topic, Map.of()).get(from);
            if (until != null && until > now) {
                score.addPenalty(from, 1);
                long prunedAt = until - params.pruneBackoff().toMillis();
                if (now < prunedAt + params.graftFloodThreshold().toMillis()) score.addPenalty(from, 1);
                addBackoff(topic, from, params.pruneBackoff().toMillis(), now);
                prunes.add(prune(from, topic, params.pruneBackoff().toSeconds()));
                continue;
            }
            if (s < 0 || (m.size() >= params.dHi() && !ps.outbound)) {
                addBackoff(topic, from, params.pruneBackoff().toMillis(), now);
                prunes.add(prune(from, topic, params.pruneBackoff().toSeconds()));
                continue;
            }
            m.add(from);
            score.graft(from, topic, now);
        }
        return prunes;
    }

    private void handlePrune(PeerId from, List<ControlPrune> prunes, long now) {
        for (ControlPrune p : prunes) {
            Set<PeerId> m = mesh.get(p.topicId());
            if (m == null) continue;
            if (m.remove(from)) score.prune(from, p.topicId());
            long secs = p.backoff() == null ? params.pruneBackoff().toSeconds()
                    : Math.min(Math.max(p.backoff(), 0), 3600L);
            addBackoff(p.topicId(), from, secs * 1000, now);
            // peer exchange (p.peers()) is not acted upon: we do not dial peers we are told about
        }
    }

    // ------------------------------------------------------------------ heartbeat

    void heartbeat() {
        long now = clock.getAsLong();
        heartbeats++;
        for (PeerState ps : peers.values()) {
            ps.ihavesThisBeat = 0;
            ps.idsAskedThisBeat = 0;
        }
        promises.expire(now, p -> score.addPenalty(p, 1));
        dontWant.heartbeat();
        score.refresh(now);
        Map<PeerId, HeartbeatControl> pending = new LinkedHashMap<>();
        for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) maintainMesh(e.getKey(), e.getValue(), now, pending);
        maintainFanout(now, pending);
        for (Map.Entry<PeerId, HeartbeatControl> e : pending.entrySet()) {
            HeartbeatControl p = e.getValue();
            out.send(e.getKey(), Rpc.ofControl(new ControlMessage(p.ihave, List.of(), p.graft, p.prune)));
        }
        mcache.shift();
        seen.expire(now);
        for (Iterator<Map<PeerId, Long>> it = backoff.values().iterator(); it.hasNext(); ) {
            Map<PeerId, Long> b = it.next();
            // keep expired entries one more heartbeat (slack against clock skew between peers)
            b.values().removeIf(until -> until + params.heartbeatInterval().toMillis() < now);
            if (b.isEmpty()) it.remove();
        }
    }

    private void maintainMesh(String topic, Set<PeerId> m, long now, Map<PeerId, HeartbeatControl> pending) {
        for (Iterator<PeerId> it = m.iterator(); it.hasNext(); ) {
            PeerId p = it.next();
            if (score.score(p, now) < 0) {
                it.remove();
                pruneInHeartbeat(topic, p, now, pending);
            }
        }
        if (m.size() < params.dLo()) {
            for (PeerId p : shuffled(candidates(topic, m, now, 0.0))) {
                if (m.size() >= params.d()) break;
                graftInHeartbeat(topic, m, p, now, pending);
            }
        }
        if (m.size() > params.dHi()) {
            List<PeerId> byScore = shuffled(m);
            byScore.sort(Comparator.comparingDouble((PeerId p) -> score.score(p, now)).reversed());
            List<PeerId> keep = new ArrayList<>(byScore.subList(0, params.dScore()));
            List<PeerId> rest = shuffled(byScore.subList(params.dScore(), byScore.size()));
            for (PeerId p : rest) {
                if (keep.size() >= params.d()) break;
                keep.add(p);
            }
            long outbound = keep.stream().filter(p -> peers.get(p).outbound).count();
            for (PeerId p : rest) {
                if (outbound >= params.dOut()) break;
                if (keep.contains(p) || !peers.get(p).outbound) continue;
                // replace the lowest-ranked inbound peer that is not among the D_score best
                for (int i = keep.size() - 1; i >= params.dScore(); i--) {
                    if (!peers.get(keep.get(i)).outbound) {
                        keep.set(i, p);
                        outbound++;
                        break;
                    }
                }
            }
            for (PeerId p : byScore) {
                if (!keep.contains(p)) {
                    m.remove(p);
                    pruneInHeartbeat(topic, p, now, pending);
                }
            }
        }
        if (m.size() >= params.dLo()) {
            long outbound = m.stream().filter(p -> peers.get(p).outbound).count();
            if (outbound < params.dOut()) {
                for (PeerId p : shuffled(candidates(topic, m, now, 0.0))) {
                    if (outbound >= params.dOut()) break;
                    if (!peers.get(p).outbound) continue;
                    graftInHeartbeat(topic, m, p, now, pending);
                    outbound++;
                }
            }
        }
        if (heartbeats % params.opportunisticGraftTicks() == 0 && m.size() > 1) {
            List<Double> scores = new ArrayList<>();
            for (PeerId p : m) scores.add(score.score(p, now));
            Collections.sort(scores);
            double median = scores.get(scores.size() / 2);
            if (median < sp.opportunisticGraftThreshold()) {
                int grafted = 0;
                for (PeerId p : shuffled(candidates(topic, m, now, median))) {
                    if (grafted >= params.opportunisticGraftPeers()) break;
                    if (score.score(p, now) > median) {
                        graftInHeartbeat(topic, m, p, now, pending);
                        grafted++;
                    }
                }
            }
        }
        emitGossip(topic, m, now, pending);
    }

    private void maintainFanout(long now, Map<PeerId, HeartbeatControl> pending) {
        for (Iterator<Map.Entry<String, Set<PeerId>>> it = fanout.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Set<PeerId>> e = it.next();
            String topic = e.getKey();
            Long last = fanoutLastPublished.get(topic);
            if (last == null || last + params.fanoutTtl().toMillis() < now) {
                it.remove();
                fanoutLastPublished.remove(topic);
                continue;
            }
            Set<PeerId> f = e.getValue();
            Set<PeerId> subscribed = topicPeers.getOrDefault(topic, Set.of());
            f.removeIf(p -> !subscribed.contains(p) || score.score(p, now) < sp.publishThreshold());
            if (f.size() < params.d()) {
                for (PeerId p : shuffled(candidates(topic, f, now, sp.publishThreshold()))) {
                    if (f.size() >= params.d()) break;
                    f.add(p);
                }
            }
            emitGossip(topic, f, now, pending);
        }
    }

    private void emitGossip(String topic, Set<PeerId> exclude, long now, Map<PeerId, HeartbeatControl> pending) {
        List<MessageId> ids = mcache.gossipIds(topic);
        if (ids.isEmpty()) return;
        List<PeerId> cands = new ArrayList<>();
        for (PeerId p : topicPeers.getOrDefault(topic, Set.of())) {
            if (exclude.contains(p) || !peers.get(p).protocol.isGossip()) continue;
            if (score.score(p, now) >= sp.gossipThreshold()) cands.add(p);
        }
        int target = Math.max(params.dLazy(), (int) (params.gossipFactor() * cands.size()));
        Collections.shuffle(cands, random);
        for (PeerId p : cands.subList(0, Math.min(target, cands.size()))) {
            List<MessageId> send = ids;
            if (send.size() > params.maxIHaveLength()) {
                send = new ArrayList<>(ids);
                Collections.shuffle(send, random);
                send = send.subList(0, params.maxIHaveLength());
            }
            pending.computeIfAbsent(p, k -> new HeartbeatControl()).ihave.add(new ControlIHave(topic, send));
        }
    }

    private void graftInHeartbeat(String topic, Set<PeerId> m, PeerId p, long now, Map<PeerId, HeartbeatControl> pending) {
        m.add(p);
        score.graft(p, topic, now);
        pending.computeIfAbsent(p, k -> new HeartbeatControl()).graft.add(new ControlGraft(topic));
    }

    private void pruneInHeartbeat(String topic, PeerId p, long now, Map<PeerId, HeartbeatControl> pending) {
        score.prune(p, topic);
        addBackoff(topic, p, params.pruneBackoff().toMillis(), now);
        pending.computeIfAbsent(p, k -> new HeartbeatControl()).prune.add(prune(p, topic, params.pruneBackoff().toSeconds()));
    }

    // ------------------------------------------------------------------ helpers

    /** Gossipsub peers subscribed to the topic, not in {@code exclude}, not backed off, scoring at least {@code minScore}. */
    private List<PeerId> candidates(String topic, Set<PeerId> exclude, long now, double minScore) {
        List<PeerId> c = new ArrayList<>();
        for (PeerId p : topicPeers.getOrDefault(topic, Set.of())) {
            if (exclude.contains(p) || !peers.get(p).protocol.isGossip() || inBackoff(topic, p, now)) continue;
            if (score.score(p, now) >= minScore) c.add(p);
        }
        return c;
    }

    private boolean inBackoff(String topic, PeerId p, long now) {
        Long until = backoff.getOrDefault(topic, Map.of()).get(p);
        return until != null && until > now;
    }

    private void addBackoff(String topic, PeerId p, long millis, long now) {
        backoff.computeIfAbsent(topic, k -> new HashMap<>()).merge(p, now + millis, Math::max);
    }

    private ControlPrune prune(PeerId to, String topic, long backoffSeconds) {
        PeerState ps = peers.get(to);
        return new ControlPrune(topic, List.of(), ps != null && ps.protocol.hasBackoff() ? backoffSeconds : null);
    }

    private void broadcastSubscription(String topic, boolean subscribe) {
        Rpc rpc = Rpc.ofSubscriptions(List.of(new SubOpts(subscribe, topic)));
        for (PeerId p : peers.keySet()) out.send(p, rpc);
    }

    private List<PeerId> shuffled(Iterable<PeerId> peers) {
        List<PeerId> l = new ArrayList<>();
        peers.forEach(l::add);
        Collections.shuffle(l, random);
        return l;
    }
}
