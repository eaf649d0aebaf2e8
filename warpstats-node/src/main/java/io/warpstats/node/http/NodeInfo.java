package io.warpstats.node.http;

import java.util.List;

/**
 * What the node tells about itself ({@code GET /v1/node}, the dashboard and the metrics).
 *
 * @param peerId         this node's peer id
 * @param addresses      the multiaddresses it listens on
 * @param peers          connected peers
 * @param heads          the CIDs of the current DAG heads
 * @param storeSizeBytes bytes on disk of the CRDT store and the local database: their live SST files plus write-ahead logs, read from RocksDB (cached up to 1 s)
 * @param merges         blocks merged since start (a counter)
 * @param blocks         blocks in the store
 * @param syncLagSeconds age of the oldest head heard of but not merged yet (0 when in sync)
 */
public record NodeInfo(String peerId, List<String> addresses, List<Peer> peers, List<String> heads,
                       long storeSizeBytes, long merges, long blocks, double syncLagSeconds) {
    public NodeInfo {
        addresses = List.copyOf(addresses);
        peers = List.copyOf(peers);
        heads = List.copyOf(heads);
    }

    /**
     * A connected peer.
     *
     * @param score its sync penalty score (0 = clean; negative after offenses, banned at the threshold)
     */
    public record Peer(String peerId, String address, int score) {
        /** A peer with a clean score. */
        public Peer(String peerId, String address) {
            this(peerId, address, 0);
        }
    }

    /** What a node without networking reports. */
    public static NodeInfo standalone(String peerId) {
        return new NodeInfo(peerId, List.of(), List.of(), List.of(), 0, 0, 0, 0);
    }
}
