package io.warpstats.node.core;

import io.warpstats.crdt.BlockFetcher;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.ipld.Cid;
import io.warpstats.crdt.ipld.DagPb;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.ProtocolHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-block exchange {@value #PROTOCOL} (a stop-gap until the branch sync protocol
 * {@code /warpstats/sync/1.0.0} is wired in): the asker writes one varint-prefixed CID (at most
 * {@value #MAX_CID_BYTES} bytes), the server answers one varint-prefixed message with the block's
 * bytes (empty if it does not hold it) and closes. The asker verifies the block against its CID and
 * tries the connected peers one after another (the hinted announcer first), each bounded by the
 * fetch timeout.
 */
final class BlockExchange implements BlockFetcher {
    static final String PROTOCOL = "/warpstats/block/0.1.0";
    static final int MAX_CID_BYTES = 128;
    /** The most peers asked for one block before the fetch fails (it is retried at the next rebroadcast). */
    static final int MAX_PEERS_PER_FETCH = 8;
    private static final Logger log = LoggerFactory.getLogger(BlockExchange.class);

    private final Host host;
    private final Supplier<MerkleCrdt> crdt;
    private final Duration timeout;
    private volatile PeerId hint;

    BlockExchange(Host host, Supplier<MerkleCrdt> crdt, Duration timeout) {
        this.host = host;
        this.crdt = crdt;
        this.timeout = timeout;
    }

    /** The server side. */
    ProtocolHandler handler() {
        return s -> s.readMessage(MAX_CID_BYTES).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((req, e) -> {
            if (e != null || req == null) { s.reset(); return; }
            Optional<byte[]> block;
            try {
                MerkleCrdt c = crdt.get();
                block = c == null ? Optional.empty() : c.block(Cid.fromBytes(req));
            } catch (RuntimeException bad) {
                log.debug("bad block request from {}: {}", s.remotePeer(), bad.toString());
                s.reset();
                return;
            }
            s.writeMessage(block.orElse(new byte[0])).whenComplete((v, we) -> s.close());
        });
    }

    /** The peer that announced the heads most recently is asked first. */
    void hint(PeerId peer) { this.hint = peer; }

    @Override
    public CompletableFuture<byte[]> fetch(Cid cid) {
        List<PeerId> peers = new ArrayList<>();
        host.connections().forEach(c -> { if (!peers.contains(c.remotePeer())) peers.add(c.remotePeer()); });
        Collections.shuffle(peers);
        PeerId h = hint;
        if (h != null && peers.remove(h)) peers.add(0, h);
        if (peers.size() > MAX_PEERS_PER_FETCH) peers.subList(MAX_PEERS_PER_FETCH, peers.size()).clear();
        return tryPeers(cid, peers, 0);
    }

    private CompletableFuture<byte[]> tryPeers(Cid cid, List<PeerId> peers, int i) {
        if (i >= peers.size()) return CompletableFuture.failedFuture(new IOException("no peer served " + cid));
        return ask(peers.get(i), cid).handle((b, e) -> e == null && b != null
                ? CompletableFuture.completedFuture(b) : tryPeers(cid, peers, i + 1)).thenCompose(f -> f);
    }

    private CompletableFuture<byte[]> ask(PeerId peer, Cid cid) {
        return host.newStream(peer, List.of(PROTOCOL)).thenCompose(s -> {
            s.writeMessage(cid.toBytes());
            s.closeWrite();
            return s.readMessage(DagPb.MAX_BLOCK_SIZE).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((b, e) -> { if (e != null) s.reset(); else s.close(); })
                    .thenApply(b -> verify(peer, cid, b));
        });
    }

    private static byte[] verify(PeerId peer, Cid cid, byte[] b) {
        if (b == null || b.length == 0) return null; // not held: ask the next peer
        if (!Cid.ofDagPb(b).multihash().equals(cid.multihash())) {
            log.warn("peer {} sent a block that does not match {}", peer, cid);
            return null;
        }
        return b;
    }
}
