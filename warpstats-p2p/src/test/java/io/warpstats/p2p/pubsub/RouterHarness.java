package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** One router under test with a capturing output and a manual clock, for protocol-level unit tests. */
final class RouterHarness implements GossipRouter.Output {
    record Sent(PeerId to, Rpc rpc) {}

    final PrivateKey key = PrivateKey.fromSeed(new byte[32]);
    final PeerId id = PeerId.fromPublicKey(key.publicKey());
    final List<Sent> sent = new ArrayList<>();
    final List<PubSubMessage> delivered = new ArrayList<>();
    long now = 10_000_000;
    final GossipRouter router;

    RouterHarness(GossipParams params) {
        router = new GossipRouter(id, key, params, () -> now, new Random(1), this);
    }

    @Override public void send(PeerId to, Rpc rpc) { sent.add(new Sent(to, rpc)); }

    @Override public void deliver(PubSubMessage message) { delivered.add(message); }

    @Override public void event(PubSubEvent event) { }

    /** Delayed tasks (time due, task), run by {@link #advance} once due. */
    final List<Long> laterAt = new ArrayList<>();
    final List<Runnable> laterTasks = new ArrayList<>();

    @Override public void later(long millis, Runnable task) {
        laterAt.add(now + millis);
        laterTasks.add(task);
    }

    /** Advances the clock and runs the delayed tasks now due, in the order they were given. */
    void advance(long ms) {
        now += ms;
        for (int i = 0; i < laterTasks.size(); ) {
            if (laterAt.get(i) <= now) {
                laterAt.remove(i);
                laterTasks.remove(i).run();
            } else {
                i++;
            }
        }
    }

    List<Rpc> sentTo(PeerId p) { return sent.stream().filter(s -> s.to().equals(p)).map(Sent::rpc).toList(); }

    void heartbeat(long advanceMs) {
        now += advanceMs;
        router.heartbeat();
    }

    /** A remote peer with its own key, to forge RPCs from. */
    static final class Remote {
        final PrivateKey key;
        final PeerId id;
        long seqno = 1;

        Remote(int n) {
            byte[] seed = new byte[32];
            new Random(n).nextBytes(seed);
            key = PrivateKey.fromSeed(seed);
            id = PeerId.fromPublicKey(key.publicKey());
        }

        Rpc.Message message(String topic, String text) {
            return MessageSigner.sign(key, id, topic, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), seqno++);
        }
    }
}
