package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.PeerId;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * IWANT promises of the router: a message id asked from a peer after its IHAVE, with the time by
 * which the peer must have delivered it. A correctly signed copy of the message from anyone honours
 * the promise; a promise still open at its deadline is broken (the router penalizes the peer). One
 * entry per (id, peer); bounded by what the router asks ({@code maxIHaveLength} per peer per
 * heartbeat, one tracked id per IWANT). Not thread-safe: the router's thread only.
 */
final class Promises {
    private final Map<MessageId, Map<PeerId, Long>> byId = new HashMap<>();

    /** {@code peer} promised {@code id} by {@code deadline}; an earlier promise of the same pair stands. */
    void track(MessageId id, PeerId peer, long deadline) {
        byId.computeIfAbsent(id, k -> new HashMap<>()).putIfAbsent(peer, deadline);
    }

    /** The message arrived: every promise of it is kept. */
    void honoured(MessageId id) { byId.remove(id); }

    /** The peers asked for {@code id} whose promise is still open. */
    Set<PeerId> asked(MessageId id) { return byId.getOrDefault(id, Map.of()).keySet(); }

    void removePeer(PeerId peer) {
        for (Map<PeerId, Long> pr : byId.values()) pr.remove(peer);
    }

    /** Drops the promises whose deadline passed, calling {@code broken} once per broken promise. */
    void expire(long now, Consumer<PeerId> broken) {
        for (Iterator<Map<PeerId, Long>> it = byId.values().iterator(); it.hasNext(); ) {
            Map<PeerId, Long> byPeer = it.next();
            for (Iterator<Map.Entry<PeerId, Long>> pit = byPeer.entrySet().iterator(); pit.hasNext(); ) {
                Map.Entry<PeerId, Long> e = pit.next();
                if (e.getValue() <= now) {
                    broken.accept(e.getKey());
                    pit.remove();
                }
            }
            if (byPeer.isEmpty()) it.remove();
        }
    }
}
