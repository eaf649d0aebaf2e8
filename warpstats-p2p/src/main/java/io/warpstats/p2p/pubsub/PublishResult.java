package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.PeerId;
import java.util.List;

/**
 * The outcome of a publish: the message id and the peers the message was sent to directly (it
 * may be empty: the message is still cached and gossiped to peers that join later within the
 * message-cache window).
 */
public record PublishResult(MessageId id, List<PeerId> recipients) {
    public PublishResult { recipients = List.copyOf(recipients); }
}
