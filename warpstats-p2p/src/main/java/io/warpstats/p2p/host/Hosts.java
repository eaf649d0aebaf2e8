package io.warpstats.p2p.host;

import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.crypto.PrivateKey;

/** Creates hosts. */
public final class Hosts {
    private Hosts() {}

    /**
     * A new host with identity {@code key}, answering identify ({@code /ipfs/id/1.0.0} and push) and
     * ping ({@code /ipfs/ping/1.0.0}). It neither listens nor dials until asked.
     */
    public static Host create(PrivateKey key, HostOptions options) {
        return new NettyHost(key, options);
    }
}
