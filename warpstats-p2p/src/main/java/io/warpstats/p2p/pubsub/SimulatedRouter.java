package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The deterministic core of gossipsub for simulations: the production router state machine, without
 * threads, sockets or timers. A simulation owns the clock, the randomness, the links and the calling
 * thread; the router hands every RPC it sends to {@link Effects#send} already encoded (the protobuf a
 * stream frame carries, without its length prefix), and takes received RPCs as bytes, decoded with the
 * production codec and its limits. Messages are signed (StrictSign) and verified as in production.
 *
 * <p>Guarantees: given the same key, parameters, clock readings, seeded {@link Random}, first seqno and the
 * same sequence of calls, a router makes the same sends, deliveries and delayed tasks in the same order.
 * Not thread-safe: one thread calls it, and {@link Effects} are called on that thread, inside the call
 * that caused them (an effect must not call back into the router: queue the work instead).
 */
public final class SimulatedRouter {

    /** Where a simulated router's effects go; called on the caller's thread. */
    public interface Effects {
        /** An RPC for {@code to}, encoded. */
        void send(PeerId to, byte[] rpc);

        /** A verified message of a subscribed topic that every validator accepted. */
        void deliver(PubSubMessage message);

        /** Asks for {@code task} to be run on the router's thread after {@code millis} of the simulation's time. */
        void later(long millis, Runnable task);
    }

    private final GossipRouter router;
    private final RpcCodec.Limits limits;

    private SimulatedRouter(GossipRouter router, GossipParams params) {
        this.router = router;
        this.limits = RpcCodec.Limits.of(params);
    }

    /**
     * A router for the peer of {@code key}.
     *
     * @param clock     the simulation's time in milliseconds
     * @param random    every random choice of the router (mesh selection, gossip targets)
     * @param lastSeqno the seqno before the router's first message (production starts from the wall clock)
     */
    public static SimulatedRouter create(PrivateKey key, GossipParams params, LongSupplier clock, Random random, long lastSeqno,
                                         Effects effects) {
        PeerId self = PeerId.fromPublicKey(key.publicKey());
        GossipRouter.Output out = new GossipRouter.Output() {
            @Override
            public void send(PeerId to, Rpc rpc) { effects.send(to, rpc.encode()); }

            @Override
            public void deliver(PubSubMessage message) { effects.deliver(message); }

            @Override
            public void event(PubSubEvent event) {}

            @Override
            public void later(long millis, Runnable task) { effects.later(millis, task); }
        };
        return new SimulatedRouter(new GossipRouter(self, key, params, clock, random, out, lastSeqno), params);
    }

    /** This router's peer id. */
    public PeerId id() { return router.self(); }

    /** A connected peer speaking {@code /meshsub/1.2.0}; {@code outbound} when this side dialed. */
    public void addPeer(PeerId peer, boolean outbound) { router.addPeer(peer, PubSubProtocol.MESHSUB_V12, outbound); }

    /** The link to {@code peer} closed. */
    public void removePeer(PeerId peer) { router.removePeer(peer); }

    /**
     * An RPC received from {@code from}: decoded with the production limits and handled. Malformed bytes
     * are a behaviour penalty for the sender, as in production; returns false then.
     */
    public boolean onRpc(PeerId from, byte[] rpc) {
        Rpc decoded;
        try {
            decoded = RpcCodec.decode(rpc, limits);
        } catch (MalformedRpcException e) {
            router.onMalformedRpc(from);
            return false;
        }
        router.onRpc(from, decoded);
        return true;
    }

    /** One gossipsub heartbeat (the simulation calls it every {@link GossipParams#heartbeatInterval()}). */
    public void heartbeat() { router.heartbeat(); }

    /** Joins {@code topic}. */
    public void subscribe(String topic) { router.subscribe(topic); }

    /** Judges the messages of {@code topic} before delivery and forwarding. */
    public void addValidator(String topic, Validator validator) { router.addValidator(topic, validator); }

    /** Signs and sends a message; see {@link PublishResult}. */
    public PublishResult publish(String topic, byte[] data) { return router.publish(topic, data); }

    /** The current mesh of {@code topic}. */
    public Set<PeerId> mesh(String topic) { return router.mesh(topic); }
}
