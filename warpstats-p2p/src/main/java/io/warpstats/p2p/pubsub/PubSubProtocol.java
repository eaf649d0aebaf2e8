package io.warpstats.p2p.pubsub;

import java.util.List;
import java.util.Optional;

/** The pubsub protocols spoken, in order of preference; each peer is served by the one its stream negotiated. */
public enum PubSubProtocol {
    /** Gossipsub v1.2: v1.1 plus IDONTWANT. */
    MESHSUB_V12("/meshsub/1.2.0"),
    /** Gossipsub v1.1: PRUNE backoff, peer scoring, flood publishing. */
    MESHSUB_V11("/meshsub/1.1.0"),
    /** Gossipsub v1.0: no backoff field in PRUNE. */
    MESHSUB_V10("/meshsub/1.0.0"),
    /** Floodsub: no mesh, no control messages; every message goes to every subscribed floodsub peer. */
    FLOODSUB("/floodsub/1.0.0");

    private static final List<String> IDS = List.of(MESHSUB_V12.id, MESHSUB_V11.id, MESHSUB_V10.id, FLOODSUB.id);

    private final String id;

    PubSubProtocol(String id) { this.id = id; }

    /** The multistream protocol id. */
    public String id() { return id; }

    public boolean isGossip() { return this != FLOODSUB; }

    /** True when a PRUNE to a peer of this protocol carries a backoff (v1.1 and later). */
    public boolean hasBackoff() { return this == MESHSUB_V12 || this == MESHSUB_V11; }

    /** True when the peer understands IDONTWANT (v1.2). */
    public boolean hasIdontwant() { return this == MESHSUB_V12; }

    /** All protocol ids, most preferred first. */
    public static List<String> ids() { return IDS; }

    public static Optional<PubSubProtocol> of(String id) {
        for (PubSubProtocol p : values()) if (p.id.equals(id)) return Optional.of(p);
        return Optional.empty();
    }
}
