package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.PeerId;

/** Changes in the pubsub view of the network, reported to {@link PubSub#addEventListener listeners}. */
public sealed interface PubSubEvent {
    /** A peer speaking a pubsub protocol was attached. */
    record PeerAdded(PeerId peer, PubSubProtocol protocol) implements PubSubEvent {}

    /** A peer was detached (disconnected or its stream closed). */
    record PeerRemoved(PeerId peer) implements PubSubEvent {}

    /** A peer subscribed to a topic. */
    record Subscribed(PeerId peer, String topic) implements PubSubEvent {}

    /** A peer unsubscribed from a topic. */
    record Unsubscribed(PeerId peer, String topic) implements PubSubEvent {}
}
