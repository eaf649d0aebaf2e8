package io.warpstats.p2p.pubsub;

import java.time.Duration;
import java.util.Objects;

/**
 * Every parameter of the gossipsub router, immutable. Defaults ({@link #defaults()}) are those
 * of the libp2p gossipsub v1.0/v1.1/v1.2 specs and of go-libp2p-pubsub or js-libp2p where the spec names none;
 * limits on hostile input are ours. See {@code docs/pubsub.md}.
 *
 * @param d                        D: desired mesh degree (6)
 * @param dLo                      D_lo: fewer mesh peers than this trigger grafting (4)
 * @param dHi                      D_hi: more mesh peers than this trigger pruning (12)
 * @param dScore                   D_score: mesh peers kept by score when pruning (4)
 * @param dOut                     D_out: outbound mesh peers kept/grafted, < D_lo and <= D/2 (2)
 * @param dLazy                    D_lazy: minimum number of peers gossiped to per topic (6)
 * @param gossipFactor             share of non-mesh peers gossiped to, when above D_lazy (0.25)
 * @param heartbeatInterval        heartbeat period (1 s)
 * @param fanoutTtl                fanout state of a topic we published to but do not join is dropped after this (60 s)
 * @param mcacheLength             message-cache history, in heartbeats (5)
 * @param mcacheGossip             windows of the message cache advertised in IHAVE (3)
 * @param seenTtl                  how long a message id stays in the seen cache (2 min)
 * @param seenMaxEntries           hard cap of the seen cache; oldest ids are evicted first (262144)
 * @param pruneBackoff             backoff after a PRUNE, sent in PRUNE and applied when the peer sends none (60 s)
 * @param unsubscribeBackoff       backoff sent in the PRUNEs of an unsubscribe (10 s)
 * @param graftFloodThreshold      a GRAFT this soon after our PRUNE is penalized twice (10 s)
 * @param floodPublish             own messages go to every subscribed peer above publishThreshold (true)
 * @param gossipRetransmission     times one message is served to one peer by IWANT (3)
 * @param maxIHaveLength           message ids per IHAVE sent, and asked from one peer per heartbeat (5000)
 * @param maxIHaveMessages         IHAVE messages handled per peer per heartbeat (10)
 * @param iwantFollowupTime        time for a peer to deliver a message it advertised and we asked for (3 s)
 * @param opportunisticGraftTicks  heartbeats between opportunistic grafting rounds (60)
 * @param opportunisticGraftPeers  peers grafted per opportunistic round (2)
 * @param maxRpcBytes              largest RPC frame accepted or sent (1 MiB)
 * @param maxMessageBytes          largest message data accepted or published (1 MiB minus 16 KiB of envelope)
 * @param maxSubscriptionsPerRpc   subscription entries per RPC (1024)
 * @param maxMessagesPerRpc        messages per RPC (1024)
 * @param maxControlEntriesPerRpc  control entries (IHAVE+IWANT+GRAFT+PRUNE) per RPC (2048)
 * @param maxMessageIdsPerRpc      message ids per RPC over IHAVE and IWANT (12000)
 * @param maxTopicBytes            longest topic name (1024 bytes)
 * @param maxTopicsPerPeer         topics one peer may be subscribed to; more are ignored (1024)
 * @param maxOutboundQueue         RPCs queued per peer before new ones are dropped and the peer penalized (1024)
 * @param idontwantMinBytes        v1.2: a message whose data has at least this many bytes is announced with IDONTWANT
 *                                 to the other v1.2 mesh peers on first receipt (512, as js-libp2p)
 * @param maxIdontwantPerHeartbeat v1.2: IDONTWANT ids heeded per peer per heartbeat; more are ignored (512, as js-libp2p)
 * @param forwardDelay             v1.2: the forward of a message we announced with IDONTWANT waits this long, so that the
 *                                 IDONTWANTs of mesh peers that got it by another path arrive first and spare them the copy
 *                                 (0: forward at once)
 * @param messageIdScheme          how message ids are derived (js-libp2p's, the default)
 * @param score                    peer-score parameters and thresholds
 */
public record GossipParams(
        int d, int dLo, int dHi, int dScore, int dOut, int dLazy, double gossipFactor,
        Duration heartbeatInterval, Duration fanoutTtl, int mcacheLength, int mcacheGossip,
        Duration seenTtl, int seenMaxEntries, Duration pruneBackoff, Duration unsubscribeBackoff,
        Duration graftFloodThreshold, boolean floodPublish, int gossipRetransmission,
        int maxIHaveLength, int maxIHaveMessages, Duration iwantFollowupTime,
        int opportunisticGraftTicks, int opportunisticGraftPeers,
        int maxRpcBytes, int maxMessageBytes, int maxSubscriptionsPerRpc, int maxMessagesPerRpc,
        int maxControlEntriesPerRpc, int maxMessageIdsPerRpc, int maxTopicBytes, int maxTopicsPerPeer,
        int maxOutboundQueue, int idontwantMinBytes, int maxIdontwantPerHeartbeat, Duration forwardDelay,
        MessageIdScheme messageIdScheme, ScoreParams score) {

    /** How a message id is derived from a StrictSign message. */
    public enum MessageIdScheme {
        /** js-libp2p gossipsub: protobuf public key of the author ‖ 8-byte seqno. */
        JS_KEY_SEQNO,
        /** go-libp2p-pubsub: {@code from} (peer-id bytes) ‖ 8-byte seqno. */
        GO_FROM_SEQNO
    }

    public GossipParams {
        Objects.requireNonNull(messageIdScheme);
        Objects.requireNonNull(score);
        if (!(dLo <= d && d <= dHi && dLo >= 1)) throw new IllegalArgumentException("need 1 <= D_lo <= D <= D_hi");
        if (dOut >= dLo || dOut > d / 2) throw new IllegalArgumentException("need D_out < D_lo and D_out <= D/2");
        if (dScore > d) throw new IllegalArgumentException("need D_score <= D");
        if (mcacheGossip > mcacheLength || mcacheGossip < 1) throw new IllegalArgumentException("need 1 <= mcacheGossip <= mcacheLength");
        if (heartbeatInterval.isZero() || heartbeatInterval.isNegative()) throw new IllegalArgumentException("heartbeat must be positive");
        if (maxMessageBytes >= maxRpcBytes) throw new IllegalArgumentException("need maxMessageBytes < maxRpcBytes");
        if (idontwantMinBytes < 0 || maxIdontwantPerHeartbeat < 0) throw new IllegalArgumentException("IDONTWANT bounds must be >= 0");
        if (forwardDelay.isNegative() || forwardDelay.compareTo(heartbeatInterval) > 0) {
            throw new IllegalArgumentException("need 0 <= forwardDelay <= heartbeatInterval");
        }
    }

    /** The spec defaults. */
    public static GossipParams defaults() {
        return new GossipParams(6, 4, 12, 4, 2, 6, 0.25,
                Duration.ofSeconds(1), Duration.ofSeconds(60), 5, 3,
                Duration.ofMinutes(2), 262_144, Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofSeconds(10), true, 3,
                5000, 10, Duration.ofSeconds(3),
                60, 2,
                1 << 20, (1 << 20) - (16 << 10), 1024, 1024,
                2048, 12_000, 1024, 1024,
                1024, 512, 512, Duration.ZERO, MessageIdScheme.JS_KEY_SEQNO, ScoreParams.defaults());
    }

    /** A copy with other peer-score parameters. */
    public GossipParams withScore(ScoreParams s) {
        return toBuilder().score(s).build();
    }

    /** A copy with flood publishing switched on or off. */
    public GossipParams withFloodPublish(boolean on) {
        return toBuilder().floodPublish(on).build();
    }

    /** A builder that starts from these values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable, not thread-safe; {@link #build()} validates as the canonical constructor does. */
    public static final class Builder {
        private int d;
        private int dLo;
        private int dHi;
        private int dScore;
        private int dOut;
        private int dLazy;
        private double gossipFactor;
        private Duration heartbeatInterval;
        private Duration fanoutTtl;
        private int mcacheLength;
        private int mcacheGossip;
        private Duration seenTtl;
        private int seenMaxEntries;
        private Duration pruneBackoff;
        private Duration unsubscribeBackoff;
        private Duration graftFloodThreshold;
        private boolean floodPublish;
        private int gossipRetransmission;
        private int maxIHaveLength;
        private int maxIHaveMessages;
        private Duration iwantFollowupTime;
        private int opportunisticGraftTicks;
        private int opportunisticGraftPeers;
        private int maxRpcBytes;
        private int maxMessageBytes;
        private int maxSubscriptionsPerRpc;
        private int maxMessagesPerRpc;
        private int maxControlEntriesPerRpc;
        private int maxMessageIdsPerRpc;
        private int maxTopicBytes;
        private int maxTopicsPerPeer;
        private int maxOutboundQueue;
        private int idontwantMinBytes;
        private int maxIdontwantPerHeartbeat;
        private Duration forwardDelay;
        private MessageIdScheme messageIdScheme;
        private ScoreParams score;

        private Builder(GossipParams from) {
            d = from.d;
            dLo = from.dLo;
            dHi = from.dHi;
            dScore = from.dScore;
            dOut = from.dOut;
            dLazy = from.dLazy;
            gossipFactor = from.gossipFactor;
            heartbeatInterval = from.heartbeatInterval;
            fanoutTtl = from.fanoutTtl;
            mcacheLength = from.mcacheLength;
            mcacheGossip = from.mcacheGossip;
            seenTtl = from.seenTtl;
            seenMaxEntries = from.seenMaxEntries;
            pruneBackoff = from.pruneBackoff;
            unsubscribeBackoff = from.unsubscribeBackoff;
            graftFloodThreshold = from.graftFloodThreshold;
            floodPublish = from.floodPublish;
            gossipRetransmission = from.gossipRetransmission;
            maxIHaveLength = from.maxIHaveLength;
            maxIHaveMessages = from.maxIHaveMessages;
            iwantFollowupTime = from.iwantFollowupTime;
            opportunisticGraftTicks = from.opportunisticGraftTicks;
            opportunisticGraftPeers = from.opportunisticGraftPeers;
            maxRpcBytes = from.maxRpcBytes;
            maxMessageBytes = from.maxMessageBytes;
            maxSubscriptionsPerRpc = from.maxSubscriptionsPerRpc;
            maxMessagesPerRpc = from.maxMessagesPerRpc;
            maxControlEntriesPerRpc = from.maxControlEntriesPerRpc;
            maxMessageIdsPerRpc = from.maxMessageIdsPerRpc;
            maxTopicBytes = from.maxTopicBytes;
            maxTopicsPerPeer = from.maxTopicsPerPeer;
            maxOutboundQueue = from.maxOutboundQueue;
            idontwantMinBytes = from.idontwantMinBytes;
            maxIdontwantPerHeartbeat = from.maxIdontwantPerHeartbeat;
            forwardDelay = from.forwardDelay;
            messageIdScheme = from.messageIdScheme;
            score = from.score;
        }

        public Builder d(int v) {
            d = v;
            return this;
        }

        public Builder dLo(int v) {
            dLo = v;
            return this;
        }

        public Builder dHi(int v) {
            dHi = v;
            return this;
        }

        public Builder dScore(int v) {
            dScore = v;
            return this;
        }

        public Builder dOut(int v) {
            dOut = v;
            return this;
        }

        public Builder dLazy(int v) {
            dLazy = v;
            return this;
        }

        public Builder gossipFactor(double v) {
            gossipFactor = v;
            return this;
        }

        public Builder heartbeatInterval(Duration v) {
            heartbeatInterval = v;
            return this;
        }

        public Builder fanoutTtl(Duration v) {
            fanoutTtl = v;
            return this;
        }

        public Builder mcacheLength(int v) {
            mcacheLength = v;
            return this;
        }

        public Builder mcacheGossip(int v) {
            mcacheGossip = v;
            return this;
        }

        public Builder seenTtl(Duration v) {
            seenTtl = v;
            return this;
        }

        public Builder seenMaxEntries(int v) {
            seenMaxEntries = v;
            return this;
        }

        public Builder pruneBackoff(Duration v) {
            pruneBackoff = v;
            return this;
        }

        public Builder unsubscribeBackoff(Duration v) {
            unsubscribeBackoff = v;
            return this;
        }

        public Builder graftFloodThreshold(Duration v) {
            graftFloodThreshold = v;
            return this;
        }

        public Builder floodPublish(boolean v) {
            floodPublish = v;
            return this;
        }

        public Builder gossipRetransmission(int v) {
            gossipRetransmission = v;
            return this;
        }

        public Builder maxIHaveLength(int v) {
            maxIHaveLength = v;
            return this;
        }

        public Builder maxIHaveMessages(int v) {
            maxIHaveMessages = v;
            return this;
        }

        public Builder iwantFollowupTime(Duration v) {
            iwantFollowupTime = v;
            return this;
        }

        public Builder opportunisticGraftTicks(int v) {
            opportunisticGraftTicks = v;
            return this;
        }

        public Builder opportunisticGraftPeers(int v) {
            opportunisticGraftPeers = v;
            return this;
        }

        public Builder maxRpcBytes(int v) {
            maxRpcBytes = v;
            return this;
        }

        public Builder maxMessageBytes(int v) {
            maxMessageBytes = v;
            return this;
        }

        public Builder maxSubscriptionsPerRpc(int v) {
            maxSubscriptionsPerRpc = v;
            return this;
        }

        public Builder maxMessagesPerRpc(int v) {
            maxMessagesPerRpc = v;
            return this;
        }

        public Builder maxControlEntriesPerRpc(int v) {
            maxControlEntriesPerRpc = v;
            return this;
        }

        public Builder maxMessageIdsPerRpc(int v) {
            maxMessageIdsPerRpc = v;
            return this;
        }

        public Builder maxTopicBytes(int v) {
            maxTopicBytes = v;
            return this;
        }

        public Builder maxTopicsPerPeer(int v) {
            maxTopicsPerPeer = v;
            return this;
        }

        public Builder maxOutboundQueue(int v) {
            maxOutboundQueue = v;
            return this;
        }

        public Builder idontwantMinBytes(int v) {
            idontwantMinBytes = v;
            return this;
        }

        public Builder maxIdontwantPerHeartbeat(int v) {
            maxIdontwantPerHeartbeat = v;
            return this;
        }

        public Builder forwardDelay(Duration v) {
            forwardDelay = v;
            return this;
        }

        public Builder messageIdScheme(MessageIdScheme v) {
            messageIdScheme = v;
            return this;
        }

        public Builder score(ScoreParams v) {
            score = v;
            return this;
        }

        public GossipParams build() {
            return new GossipParams(d, dLo, dHi, dScore, dOut, dLazy, gossipFactor, heartbeatInterval,
                    fanoutTtl, mcacheLength, mcacheGossip, seenTtl, seenMaxEntries, pruneBackoff, unsubscribeBackoff,
                    graftFloodThreshold, floodPublish, gossipRetransmission, maxIHaveLength, maxIHaveMessages,
                    iwantFollowupTime, opportunisticGraftTicks, opportunisticGraftPeers, maxRpcBytes, maxMessageBytes,
                    maxSubscriptionsPerRpc, maxMessagesPerRpc, maxControlEntriesPerRpc, maxMessageIdsPerRpc,
                    maxTopicBytes, maxTopicsPerPeer, maxOutboundQueue, idontwantMinBytes, maxIdontwantPerHeartbeat,
                    forwardDelay, messageIdScheme, score);
        }
    }
}
