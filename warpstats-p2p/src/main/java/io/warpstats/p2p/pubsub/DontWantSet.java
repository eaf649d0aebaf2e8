package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.pubsub.Rpc.ControlIDontWant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gossipsub v1.2 IDONTWANT state of the router: per peer, the ids of messages it said it already
 * has, so that they are neither forwarded nor served to it. Bounded: at most
 * {@code maxPerHeartbeat} ids of one peer are heeded per heartbeat (the rest of its IDONTWANTs are
 * ignored, without penalty, as the spec allows), and an id is forgotten after {@code keepHeartbeats}
 * heartbeats, so a peer holds at most {@code maxPerHeartbeat × keepHeartbeats} entries. Not
 * thread-safe: the router's thread only.
 */
final class DontWantSet {
    private static final class Entry {
        /** id → the heartbeat it was received in, oldest first. */
        final LinkedHashMap<MessageId, Long> ids = new LinkedHashMap<>();
        int thisBeat;
    }

    private final int maxPerHeartbeat;
    private final int keepHeartbeats;
    private final Map<PeerId, Entry> byPeer = new HashMap<>();
    private long beat;

    DontWantSet(int maxPerHeartbeat, int keepHeartbeats) {
        this.maxPerHeartbeat = maxPerHeartbeat;
        this.keepHeartbeats = keepHeartbeats;
    }

    /** Records the ids of {@code from}'s IDONTWANT entries, within its budget of this heartbeat. */
    void received(PeerId from, List<ControlIDontWant> entries) {
        Entry e = byPeer.computeIfAbsent(from, k -> new Entry());
        for (ControlIDontWant d : entries) {
            for (MessageId id : d.messageIds()) {
                if (e.thisBeat >= maxPerHeartbeat) return;
                e.thisBeat++;
                e.ids.remove(id); // re-insert: keeps the map ordered by heartbeat
                e.ids.put(id, beat);
            }
        }
    }

    /** True when {@code peer} said it has message {@code id}. */
    boolean has(PeerId peer, MessageId id) {
        Entry e = byPeer.get(peer);
       return e != null && e.ids.containsKey(id);
    }

    void removePeer(PeerId peer) { byPeer.remove(peer); }

    /** Ids held by all peers together (tests, metrics). */
    int size() {
        int n = 0;
        for (Entry e : byPeer.values()) n += e.ids.size();
        return n;
    }

    /** Starts a new heartbeat: budgets reset, ids older than {@code keepHeartbeats} forgotten. */
    void heartbeat() {
        beat++;
        for (Iterator<Entry> it = byPeer.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            e.thisBeat = 0;
            for (Iterator<Long> ids = e.ids.values().iterator(); ids.hasNext(); ) {
                if (beat - ids.next() < keepHeartbeats) break;
                ids.remove();
            }
            if (e.ids.isEmpty()) it.remove();
        }
    }
}
