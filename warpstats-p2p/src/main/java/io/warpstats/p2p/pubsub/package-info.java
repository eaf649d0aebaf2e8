/**
 * Gossipsub v1.2 publish/subscribe for libp2p ({@code /meshsub/1.2.0} with IDONTWANT, and
 * {@code /meshsub/1.1.0}, {@code /meshsub/1.0.0} and {@code /floodsub/1.0.0} for older peers),
 * wire-compatible with js-libp2p and go-libp2p.
 *
 * <p>Public API: {@link io.warpstats.p2p.pubsub.PubSub} (subscribe, publish, validators,
 * events), {@link io.warpstats.p2p.pubsub.GossipParams} and
 * {@link io.warpstats.p2p.pubsub.ScoreParams} (every parameter, spec defaults), and the RPC
 * records of {@link io.warpstats.p2p.pubsub.Rpc}. Inside: {@code RpcCodec} (bounded protobuf
 * decoding of hostile input), {@code MessageSigner} (StrictSign), {@code GossipRouter} (the
 * protocol as a single-threaded, transport-independent state machine), {@code PeerScore},
 * {@code MessageCache}, {@code SeenCache}, {@code DontWantSet} (IDONTWANT), {@code Promises} (IWANT
 * promises) and {@code TopicValidators}. See {@code docs/pubsub.md}.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.p2p.pubsub;

import org.jspecify.annotations.NullMarked;
