package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.pubsub.Rpc.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The gossipsub message cache: the messages of the last {@code history} heartbeats, served to
 * IWANT, whose ids of the last {@code gossip} heartbeats are advertised in IHAVE. Each
 * message is served to one peer at most {@code maxTransmissions} times.
 */
final class MessageCache {
    private record Entry(Message message, String topic, Map<PeerId, Integer> served) {}

    private record Key(MessageId id, String topic) {}

    private final int gossip;
    private final ArrayDeque<List<Key>> windows = new ArrayDeque<>();
    private final Map<MessageId, Entry> messages = new HashMap<>();

    MessageCache(int history, int gossip) {
        this.gossip = gossip;
        for (int i = 0; i < history; i++) windows.add(new ArrayList<>());
    }

    void put(MessageId id, Message m) {
        if (messages.putIfAbsent(id, new Entry(m, m.topic(), new HashMap<>())) == null) {
            windows.peekFirst().add(new Key(id, m.topic()));
        }
    }

    boolean contains(MessageId id) { return messages.containsKey(id); }

    /** The message for a peer's IWANT, or null when absent or already served too often to that peer. */
    @Nullable Message getForPeer(MessageId id, PeerId peer, int maxTransmissions) {
        Entry e = messages.get(id);
        if (e == null) return null;
        int n = e.served().merge(peer, 1, Integer::sum);
        return n > maxTransmissions ? null : e.message();
    }

    /** Ids of the topic in the newest {@code gossip} windows. */
    List<MessageId> gossipIds(String topic) {
        List<MessageId> ids = new ArrayList<>();
        Iterator<List<Key>> it = windows.iterator();
        for (int i = 0; i < gossip && it.hasNext(); i++) {
            for (Key k : it.next()) if (k.topic().equals(topic)) ids.add(k.id());
        }
        return ids;
    }

    /** Moves to the next window, dropping the oldest. */
    void shift() {
        for (Key k : windows.pollLast()) messages.remove(k.id());
        windows.addFirst(new ArrayList<>());
    }

    int size() { return messages.size(); }
}
