package io.warpstats.node.core;

import io.warpstats.crdt.Broadcaster;
import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.p2p.pubsub.PubSub;
import io.warpstats.p2p.pubsub.PubSubMessage;
import io.warpstats.p2p.pubsub.ValidationResult;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces the CRDT's heads on a gossipsub topic and hands received announcements to the engine.
 * Messages that do not parse as a CRDTBroadcast are rejected by a topic validator (the sender is
 * penalized). Received announcements are merged on one thread behind a queue of
 * {@value #MAX_QUEUED} messages; beyond that they are dropped (heads are re-announced periodically).
 */
final class HeadsBroadcaster implements Broadcaster, AutoCloseable {
    static final int MAX_QUEUED = 1024;
    private static final Logger log = LoggerFactory.getLogger(HeadsBroadcaster.class);
    private final PubSub pubsub;
    private final String topic;
    private final ThreadPoolExecutor inbound = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
                Thread t = new Thread(r, "heads-in");
                t.setDaemon(true);
                return t;
            });

    HeadsBroadcaster(PubSub pubsub, String topic) {
        this.pubsub = pubsub;
        this.topic = topic;
    }

    /** Subscribes; {@code crdt} receives every valid announcement, {@code onFrom} learns who forwarded it. */
    void subscribe(MerkleCrdt crdt, Consumer<PubSubMessage> onFrom) {
        pubsub.addValidator(topic, m -> {
            try {
                CrdtBroadcast.parse(m.data());
                return ValidationResult.ACCEPT;
            } catch (RuntimeException e) {
                return ValidationResult.REJECT;
            }
        });
        pubsub.subscribe(topic, m -> {
            try {
                inbound.execute(() -> {
                    try {
                        onFrom.accept(m);
                        crdt.onBroadcast(m.data());
                    } catch (RuntimeException e) {
                        log.debug("announcement from {} not handled: {}", m.from(), e.toString());
                    }
                });
            } catch (RejectedExecutionException full) {
                log.debug("announcement queue full; dropped one from {}", m.from());
            }
        });
    }

    @Override
    public void broadcast(byte[] crdtBroadcast) {
        pubsub.publish(topic, crdtBroadcast).whenComplete((r, e) -> {
            if (e != null) log.debug("publishing heads failed: {}", e.toString());
        });
    }

    @Override
    public void close() {
        inbound.shutdownNow();
    }
}
