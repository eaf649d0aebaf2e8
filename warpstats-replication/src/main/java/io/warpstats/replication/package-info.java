/**
 * Replication glue between the Merkle-CRDT engine and the network: the block sync protocol
 * {@code /warpstats/sync/1.0.0} ({@link io.warpstats.replication.SyncServer},
 * {@link io.warpstats.replication.SyncClient}, its frames {@link io.warpstats.replication.SyncMessage} and
 * limits {@link io.warpstats.replication.SyncParams}) and the announcement of heads over gossipsub
 * ({@link io.warpstats.replication.PubSubBroadcaster}; which heads go out and when is
 * {@link io.warpstats.replication.HeadAnnouncer}'s, clock-free so that the scale simulation runs the same rules;
 * its bytes, with the eager push compressed, are {@code Announcement}'s). Misbehaving peers are reported through
 * {@link io.warpstats.replication.PeerPenalty}.
 *
 * <p>{@link io.warpstats.replication.Replica} wires them, with an engine, on a host and a store; it is
 * the one place where the parts meet:
 * <pre>{@code
 * Replica replica = Replica.builder(host, store)
 *     .engine(b -> b.flushDelay(Duration.ofMillis(10)).view(stats.view()))
 *     .penalty(gate)
 *     .start();
 * }</pre>
 * The engine reaches the network only through the {@link io.warpstats.crdt.Broadcaster} and
 * {@link io.warpstats.crdt.BlockFetcher} it is given, and the network reaches the engine only through
 * its {@link io.warpstats.crdt.ReplicationPort}.
 * Inside: {@code SyncCodec} (bounded protobuf frames, zstd), {@code BranchWalk} (the server's walk),
 * {@code FetchRun} (one fetch of the client). Protocol spec: docs/replication.md.
 */
package io.warpstats.replication;
