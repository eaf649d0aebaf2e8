/**
 * Replication glue between the Merkle-CRDT engine and the network: the block sync protocol
 * {@code /warpstats/sync/1.0.0} ({@link io.warpstats.replication.SyncServer},
 * {@link io.warpstats.replication.SyncClient}, its frames {@link io.warpstats.replication.SyncMessage} and
 * limits {@link io.warpstats.replication.SyncParams}) and the announcement of heads over gossipsub
 * ({@link io.warpstats.replication.PubSubBroadcaster}). Misbehaving peers are reported through
 * {@link io.warpstats.replication.PeerPenalty}.
 *
 * <p>Wiring on a host, a pubsub and a store:
 * <pre>{@code
 * SyncClient sync = SyncClient.create(host, SyncParams.defaults(), penalty);
 * PubSubBroadcaster bc = PubSubBroadcaster.create(pubsub, "", sync, Duration.ofSeconds(10));
 * MerkleCrdt crdt = MerkleCrdt.builder(store).broadcaster(bc).fetcher(sync)
 *     .rebroadcastInterval(Duration.ZERO).build();
 * sync.attach(crdt);
 * bc.attach(crdt);
 * SyncServer server = SyncServer.register(host, crdt::block, SyncParams.defaults(), penalty);
 * }</pre>
 * Inside: {@code SyncCodec} (bounded protobuf frames, zstd), {@code BranchWalk} (the server's walk),
 * {@code FetchRun} (one fetch of the client). Protocol spec: docs/sync.md.
 */
package io.warpstats.replication;
