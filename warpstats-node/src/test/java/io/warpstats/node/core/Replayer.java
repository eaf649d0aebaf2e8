package io.warpstats.node.core;

import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.p2p.pubsub.PubSubMessage;
import io.warpstats.p2p.pubsub.Rpc;
import io.warpstats.p2p.pubsub.ValidationResult;
import io.warpstats.replication.PubSubBroadcaster;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Replays old blocks and old announcements. Until {@code go} it is an honest replica that also
 * captures every announcement it receives (author, sequence number, payload; at most
 * {@value #MAX_CAPTURED}); its engine fetches and stores the blocks they name. Then, {@value #REPEATS}
 * times over: every captured payload again, under its own valid signature, and every captured head
 * whose block is at most 2 KiB as an announcement carrying that old block (field 15). Last, the
 * captured messages as their authors' with the signature it cannot make: each with the original
 * sequence number (a duplicate by id) and with a new one (to get past duplicate suppression),
 * {@value #REPEATS} times each, straight onto the gossipsub streams.
 */
final class Replayer implements Misbehaviour {
    static final int MAX_CAPTURED = 1000;
    static final int REPEATS = 20;
    private final List<PubSubMessage> captured = new CopyOnWriteArrayList<>();

    @Override
    public void prepare(HostileNode.Stack s) {
        s.replica().pubsub().addValidator(PubSubBroadcaster.topic(""), m -> {
            if (captured.size() < MAX_CAPTURED && !m.from().equals(s.self())) {
                captured.add(m);
                s.event("event captured " + captured.size());
            }
            return ValidationResult.ACCEPT;
        });
    }

    @Override
    public void run(HostileNode.Stack s) throws Exception {
        String topic = PubSubBroadcaster.topic("");
        List<byte[]> withBlocks = new ArrayList<>();
        for (PubSubMessage m : captured) {
            for (CrdtBroadcast.Announced h : CrdtBroadcast.parse(m.data()).heads()) {
                Optional<byte[]> b = s.replica().crdt().replication().block(h.cid());
                if (b.isPresent() && b.get().length <= CrdtBroadcast.MAX_EAGER_BYTES) {
                    withBlocks.add(new CrdtBroadcast(List.of(h), List.of(b.get())).toBytes());
                }
            }
        }
        int valid = 0;
        for (int r = 0; r < REPEATS; r++) {
            for (PubSubMessage m : captured) {
                s.replica().pubsub().publish(topic, m.data()).get(10, TimeUnit.SECONDS);
                valid++;
            }
            for (byte[] a : withBlocks) {
                s.replica().pubsub().publish(topic, a).get(10, TimeUnit.SECONDS);
                valid++;
            }
        }
        s.event("event replayed-valid " + valid + " of " + captured.size() + " captured, " + withBlocks.size() + " with old blocks");
        int foreign = 0;
        byte[] notTheirs = new byte[64];
        try (RawGossip g = RawGossip.open(s.host(), s.peers())) {
            for (int r = 0; r < REPEATS; r++) {
                List<Rpc.Message> batch = new ArrayList<>();
                for (PubSubMessage m : captured) {
                    batch.add(RawGossip.forged(m.from(), topic, m.data(), m.seqno(), notTheirs));
                    batch.add(RawGossip.forged(m.from(), topic, m.data(), m.seqno() + 1 + r, notTheirs));
                }
                for (int i = 0; i < g.size(); i++) {
                    for (int from = 0; from < batch.size(); from += 500) {
                        if (g.send(i, Rpc.ofMessages(batch.subList(from, Math.min(batch.size(), from + 500))))) {
                            foreign += Math.min(batch.size(), from + 500) - from;
                        }
                    }
                }
            }
        }
        s.event("done replayed " + valid + " valid " + foreign + " foreign");
    }
}
