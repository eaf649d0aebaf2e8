package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.Host;
import io.warpstats.p2p.PeerId;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Topic-based publish/subscribe over libp2p gossipsub v1.2 (StrictSign). Thread-safe: every
 * method may be called from any thread; the router state lives on one event loop, and
 * handlers, validators and listeners run on it (they must not block).
 *
 * <p>Guarantees: a message is delivered to a subscriber's handler at most once per process
 * lifetime of its id within the seen-cache TTL; only messages with a valid signature whose
 * validators all accepted are delivered or forwarded; own messages are not delivered back.
 */
public interface PubSub extends AutoCloseable {

    /**
     * Starts gossipsub on a host: registers the meshsub/floodsub handlers, opens a stream to
     * every identified peer that speaks one of them, and signs with the host's key.
     */
    static PubSub create(Host host, GossipParams params) { return new HostPubSub(host, params); }

    /** {@link #create(Host, GossipParams)} with the spec defaults. */
    static PubSub create(Host host) { return create(host, GossipParams.defaults()); }

    /** Joins a topic; {@code handler} receives every accepted message of it. Replaces an earlier handler. */
    void subscribe(String topic, Consumer<PubSubMessage> handler);

    /** Leaves a topic (PRUNEs the mesh, announces the unsubscription). */
    void unsubscribe(String topic);

    /** Signs and publishes; completes with the message id and direct recipients, or exceptionally if too large or closed. */
    CompletableFuture<PublishResult> publish(String topic, byte[] data);

    /** Adds a validator for a topic; all validators of a topic must accept. */
    void addValidator(String topic, Validator validator);

    /** The peers known to be subscribed to a topic. */
    CompletableFuture<Set<PeerId>> peers(String topic);

    /** The peers in our mesh of a topic. */
    CompletableFuture<Set<PeerId>> mesh(String topic);

    /** Registers a listener of peer and subscription events. */
    void addEventListener(Consumer<PubSubEvent> listener);

    /** Counters of received messages since start; readable from any thread. */
    PubSubMetrics metrics();

    /** Stops the heartbeat and detaches from the transport. */
    @Override
    void close();
}
