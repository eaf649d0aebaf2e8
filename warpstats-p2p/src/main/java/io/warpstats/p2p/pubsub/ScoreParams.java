package io.warpstats.p2p.pubsub;

import java.time.Duration;

/**
 * Peer-score parameters of gossipsub v1.1 (one set applied to every topic). The spec leaves
 * these to the application; the defaults below suit warpstats (few topics, steady head
 * announcements) and are explained in {@code docs/pubsub.md}. Weights of penalties are
 * negative, of rewards positive; a weight of 0 disables the component.
 *
 * @param gossipThreshold                   below it a peer gets no gossip from us and its IHAVE/IWANT are ignored
 * @param publishThreshold                  below it our own messages are not flood-published to the peer
 * @param graylistThreshold                 below it every RPC of the peer is ignored
 * @param acceptPxThreshold                 peer exchange is accepted only from peers above it (PX is not acted upon here)
 * @param opportunisticGraftThreshold       median mesh score below which opportunistic grafting runs
 * @param decayInterval                     how often counters decay (a multiple of the heartbeat)
 * @param decayToZero                       a decayed counter below it becomes 0
 * @param retainScore                       how long the counters of a disconnected peer are kept
 * @param topicWeight                       weight of every topic's score
 * @param topicScoreCap                     cap of the positive topic contribution (0 = none)
 * @param timeInMeshWeight                  P1 weight (time in mesh)
 * @param timeInMeshQuantum                 P1 unit of time
 * @param timeInMeshCap                     P1 cap, in quanta
 * @param firstMessageDeliveriesWeight      P2 weight (first deliveries)
 * @param firstMessageDeliveriesDecay       P2 decay factor per interval
 * @param firstMessageDeliveriesCap         P2 cap
 * @param meshMessageDeliveriesWeight       P3 weight (mesh delivery deficit, squared); 0 disables P3 and P3b
 * @param meshMessageDeliveriesDecay        P3 decay factor per interval
 * @param meshMessageDeliveriesThreshold    P3 expected deliveries (decayed counter)
 * @param meshMessageDeliveriesCap          P3 counter cap
 * @param meshMessageDeliveriesActivation   time in mesh before P3 applies
 * @param meshMessageDeliveriesWindow       a duplicate within this time of the first delivery still counts for P3
 * @param meshFailurePenaltyWeight          P3b weight (deficit when pruned, sticky)
 * @param meshFailurePenaltyDecay           P3b decay factor per interval
 * @param invalidMessageDeliveriesWeight    P4 weight (invalid messages, squared)
 * @param invalidMessageDeliveriesDecay     P4 decay factor per interval
 * @param behaviourPenaltyWeight            P7 weight (broken IWANT promises, GRAFT in backoff, malformed RPCs, squared excess)
 * @param behaviourPenaltyThreshold         P7 counter tolerated before the penalty applies
 * @param behaviourPenaltyDecay             P7 decay factor per interval
 */
public record ScoreParams(
        double gossipThreshold, double publishThreshold, double graylistThreshold, double acceptPxThreshold,
        double opportunisticGraftThreshold, Duration decayInterval, double decayToZero, Duration retainScore,
        double topicWeight, double topicScoreCap,
        double timeInMeshWeight, Duration timeInMeshQuantum, double timeInMeshCap,
        double firstMessageDeliveriesWeight, double firstMessageDeliveriesDecay, double firstMessageDeliveriesCap,
        double meshMessageDeliveriesWeight, double meshMessageDeliveriesDecay, double meshMessageDeliveriesThreshold,
        double meshMessageDeliveriesCap, Duration meshMessageDeliveriesActivation, Duration meshMessageDeliveriesWindow,
        double meshFailurePenaltyWeight, double meshFailurePenaltyDecay,
        double invalidMessageDeliveriesWeight, double invalidMessageDeliveriesDecay,
        double behaviourPenaltyWeight, double behaviourPenaltyThreshold, double behaviourPenaltyDecay) {

    public ScoreParams {
        if (!(gossipThreshold <= 0 && publishThreshold <= gossipThreshold && graylistThreshold <= publishThreshold)) {
            throw new IllegalArgumentException("need 0 >= gossipThreshold >= publishThreshold >= graylistThreshold");
        }
        if (timeInMeshWeight < 0 || firstMessageDeliveriesWeight < 0 || meshMessageDeliveriesWeight > 0
                || meshFailurePenaltyWeight > 0 || invalidMessageDeliveriesWeight > 0 || behaviourPenaltyWeight > 0) {
            throw new IllegalArgumentException("rewards need weights >= 0, penalties weights <= 0");
        }
        if (decayInterval.isNegative() || decayInterval.isZero() || timeInMeshQuantum.isZero() || timeInMeshQuantum.isNegative()) {
            throw new IllegalArgumentException("intervals must be positive");
        }
    }

    /** The warpstats defaults (P3/P3b off: mesh delivery rates are topic-specific, enable them per deployment). */
    public static ScoreParams defaults() {
        return new ScoreParams(-10, -50, -80, 10, 1, Duration.ofSeconds(1), 0.01, Duration.ofMinutes(1),
                1.0, 100,
                0.01, Duration.ofSeconds(1), 3600,
                1.0, 0.9, 50,
                0, 0.9, 1, 10, Duration.ofSeconds(30), Duration.ofMillis(50),
                0, 0.9,
                -10, 0.99,
                -10, 1, 0.99);
    }

    /** These parameters with P3/P3b enabled. */
    public ScoreParams withMeshDeliveries(double weight, double threshold, Duration activation) {
        return new ScoreParams(gossipThreshold, publishThreshold, graylistThreshold, acceptPxThreshold,
                opportunisticGraftThreshold, decayInterval, decayToZero, retainScore, topicWeight, topicScoreCap,
                timeInMeshWeight, timeInMeshQuantum, timeInMeshCap,
                firstMessageDeliveriesWeight, firstMessageDeliveriesDecay, firstMessageDeliveriesCap,
                weight, meshMessageDeliveriesDecay, threshold, Math.max(meshMessageDeliveriesCap, threshold), activation,
                meshMessageDeliveriesWindow, weight, meshFailurePenaltyDecay,
                invalidMessageDeliveriesWeight, invalidMessageDeliveriesDecay,
                behaviourPenaltyWeight, behaviourPenaltyThreshold, behaviourPenaltyDecay);
    }
}
