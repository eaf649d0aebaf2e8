package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.PeerId;

/**
 * A verified message as delivered to the application.
 *
 * @param topic        the topic
 * @param from         the author (signature verified)
 * @param data         the payload
 * @param seqno        the author's sequence number
 * @param id           the message id
 * @param receivedFrom the peer that forwarded it to us
 */
public record PubSubMessage(String topic, PeerId from, byte[] data, long seqno, MessageId id, PeerId receivedFrom) {
    public PubSubMessage { data = data.clone(); }

    @Override
    public byte[] data() { return data.clone(); }
}
