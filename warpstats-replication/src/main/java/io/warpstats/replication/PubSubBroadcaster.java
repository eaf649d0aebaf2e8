package io.warpstats.replication;

import io.warpstats.crdt.Broadcaster;
import io.warpstats.crdt.ReplicationPort;
import io.warpstats.p2p.pubsub.PubSub;
import java.time.Duration;

/**
 * The CRDT's {@link Broadcaster} over gossipsub: CRDTBroadcast messages (go-ds-crdt's format) on one
 * topic per DAG ({@link #topic}).
 *
 * <p>Receiving: every valid announcement is handed to {@link ReplicationPort#onBroadcast} off the pubsub
 * loop (a bounded queue; announcements beyond it are dropped — they come again), and the author and
 * the forwarding peer of each head are given to the {@link SyncClient} as {@linkplain SyncClient#hint
 * hints}, so the fetch asks them first. A malformed announcement is REJECTed (gossipsub penalizes the
 * sender).
 *
 * <p>Sending and rebroadcast: which heads go out and when is {@link HeadAnnouncer}'s: a fresh head at
 * once (coalesced to one announcement per {@code minPublishGap} on average), a head that this node or another
 * announced lately not again within its quiet window (3/4 of {@code rebroadcastInterval}, doubling up to
 * 8 × while nothing changes, back to one interval when an announcement names a head this node lacks).
 * {@link #attach} runs {@link ReplicationPort#rebroadcast()} every {@code rebroadcastInterval} ± 20 %
 * (jitter, so replicas do not announce in lockstep): it offers every head to the announcer and retries
 * failed fetches. Build the engine with {@code rebroadcastInterval(Duration.ZERO)} so it does not run its
 * own timer as well (if it does, the windows still keep each head to one announcement per window).
 */
public interface PubSubBroadcaster extends Broadcaster, AutoCloseable {

    /** The topic of a DAG: {@code /warpstats/stats/1.0.0} for the default DAG, else {@code /warpstats/dag/NAME/1.0.0}. */
    static String topic(String dagName) {
        return dagName.isEmpty() ? "/warpstats/stats/1.0.0" : "/warpstats/dag/" + dagName + "/1.0.0";
    }

    /**
     * Default of the least average time between two announcements of this node (see
     * {@link #create(PubSub, String, SyncClient, Duration, Duration)}): 50 ms, at most 20 announcements per
     * second plus bursts of {@link HeadAnnouncer#BURST}, within the receivers' default
     * {@link SyncParams#DEFAULT_ANNOUNCE_RATE}. It holds a put up to 50 ms at low rates (a 5-node cluster
     * at 1,000 puts/s announces every 5th timer flush). A gap equal to the engine's {@code flushDelay}
     * (10 ms) announces every timer flush as it is written, but costs 2.7-3 × the wire bytes per put at
     * 1,000 puts/s, and a cluster on a CPU-starved host then falls behind (seconds of lag) where 50 ms
     * keeps up: docs/benchmarks.md, "Figures behind design choices". A node built with a smaller gap needs
     * a larger {@code announceRate} on its peers.
     */
    Duration DEFAULT_MIN_PUBLISH_GAP = Duration.ofMillis(50);

    /** A broadcaster for {@code dagName} with {@link #DEFAULT_MIN_PUBLISH_GAP}; nothing is received until {@link #attach}. */
    static PubSubBroadcaster create(PubSub pubsub, String dagName, SyncClient sync, Duration rebroadcastInterval) {
        return create(pubsub, dagName, sync, rebroadcastInterval, DEFAULT_MIN_PUBLISH_GAP);
    }

    /**
     * A broadcaster that publishes at most one announcement per {@code minPublishGap} on average, in
     * bursts of at most {@link HeadAnnouncer#BURST}: heads given beyond that wait and go out together
     * as soon as the budget allows, minus those that are no longer heads of the replica (a newer block
     * links to them, and its announcement covers them). Every gossipsub message costs a StrictSign
     * signature and one verification per receiving node (Ed25519, the dominant CPU cost of
     * replication with small flush delays), so this bounds that cost to 1 / gap per node whatever the
     * flush rate. Receivers limit each author to {@link SyncParams#announceRate()} (50 per second by
     * default): a gap below 25 ms needs a larger rate on the peers. Zero: every flush is announced at once.
     */
    static PubSubBroadcaster create(PubSub pubsub, String dagName, SyncClient sync, Duration rebroadcastInterval,
                                    Duration minPublishGap) {
        return new PubSubBroadcasterImpl(pubsub, topic(dagName), sync, rebroadcastInterval, minPublishGap);
    }

    /** Subscribes to the topic, feeding {@code crdt}, and starts the jittered rebroadcast. */
    void attach(ReplicationPort crdt);

    /**
     * Publishes {@code crdt}'s heads without subscribing (a shard this node writes but does not follow):
     * announcements go to the topic's subscribers through gossipsub's fanout, nothing is received, and
     * the jittered rebroadcast runs as with {@link #attach}.
     */
    void attachPublishOnly(ReplicationPort crdt);

    /** The topic. */
    String topic();

    /** Announcements published, and heads left out of them as announced recently. */
    long published();

    /** Heads left out of announcements because they were announced recently. */
    long suppressed();

    /** Valid announcements received from other nodes (after gossipsub's deduplication). */
    long received();

    /** Unsubscribes and stops the rebroadcast timer. */
    @Override
    void close();
}
