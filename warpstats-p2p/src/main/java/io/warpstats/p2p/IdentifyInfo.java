package io.warpstats.p2p;

import io.warpstats.p2p.crypto.PublicKey;
import java.util.List;
import java.util.Optional;

/**
 * What a remote told about itself over {@code /ipfs/id/1.0.0} (or a push).
 *
 * @param publicKey       its identity key, if sent (verified against the connection's peer id)
 * @param protocolVersion e.g. {@code ipfs/0.1.0}
 * @param agentVersion    e.g. {@code js-libp2p/3.0.0}
 * @param listenAddrs     the addresses it listens on (undecodable ones dropped)
 * @param observedAddr    our address as the remote sees it, if sent and decodable
 * @param protocols       the protocols it answers (e.g. {@code /meshsub/1.1.0})
 */
public record IdentifyInfo(Optional<PublicKey> publicKey, String protocolVersion, String agentVersion,
                           List<Multiaddr> listenAddrs, Optional<Multiaddr> observedAddr, List<String> protocols) {
    public IdentifyInfo {
        listenAddrs = List.copyOf(listenAddrs);
        protocols = List.copyOf(protocols);
    }

    /** True if the remote announced {@code protocol}. */
    public boolean supports(String protocol) { return protocols.contains(protocol); }
}
