package io.warpstats.p2p.pubsub;

/**
 * Counters of a {@link PubSub} since it started, for what peers sent.
 *
 * @param delivered      messages accepted by every validator and delivered (first copies only)
 * @param invalid        messages dropped as invalid (no author or sequence number, too large, bad
 *                       signature): each costs its sender the P4 penalty
 * @param duplicates     copies of messages already seen, dropped before their signature is checked
 * @param graylistedRpcs RPCs ignored whole because their sender's score is below the graylist threshold
 * @param shedFrames     inbound frames shed because the event loop was behind (no penalty)
 * @param droppedOutbound RPCs to a peer dropped because its outbound queue was full (no penalty)
 */
public record PubSubMetrics(long delivered, long invalid, long duplicates, long graylistedRpcs, long shedFrames, long droppedOutbound) {}
