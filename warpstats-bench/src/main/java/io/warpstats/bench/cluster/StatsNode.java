package io.warpstats.bench.cluster;

import io.warpstats.crdt.MerkleCrdtBuilder;
import io.warpstats.node.core.Ed25519Deltas;
import io.warpstats.node.core.NodeConfig;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.Identity;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.stats.StatsKeys;
import io.warpstats.stats.StatsService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A {@link ClusterNode} with the statistics service on top, laid out and configured as a node is
 * ({@code docs/node.md}): the data directory holds {@code identity.key}, the CRDT store {@code crdt/} and the
 * local database {@code local/}; deltas are signed with the identity, unsigned ones refused, writes authorized
 * by {@link StatsKeys#mayWrite}; the statistics view is registered on the engine; flush delay and rebroadcast
 * interval are {@link NodeConfig#defaults}'. Restarting on the same directory keeps the identity.
 */
final class StatsNode implements AutoCloseable {
    final Path dir;
    final StatsService stats;
    final ClusterNode node;

    /** Starts a node on {@code dir} (created if missing); {@code engine} adds settings to the engine's builder last. */
    StatsNode(int index, Path dir, Consumer<MerkleCrdtBuilder> engine) {
        this.dir = dir;
        PrivateKey key;
        try {
            key = Identity.loadOrCreate(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        NodeConfig defaults = NodeConfig.defaults(dir, Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
        stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId(PeerId.fromPublicKey(key.publicKey()).toString()).open();
        try {
            node = new ClusterNode(index, key, dir.resolve("crdt"), 1, defaults.rebroadcastInterval(), b -> {
                b.flushDelay(defaults.flushDelay()).signer(Ed25519Deltas.signer(key)).verifier(Ed25519Deltas.verifier())
                        .authorizer(StatsKeys::mayWrite).acceptUnsigned(false).view(stats.view());
                engine.accept(b);
            });
            stats.attach(node.crdt);
        } catch (RuntimeException e) {
            stats.close();
            throw e;
        }
    }

    /** As a node stops: the statistics first (its outbox flushed into the CRDT), then the replica, host and store. */
    @Override
    public void close() {
        try {
            stats.close();
        } finally {
            node.close();
        }
    }
}
