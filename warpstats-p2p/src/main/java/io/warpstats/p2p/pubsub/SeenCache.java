package io.warpstats.p2p.pubsub;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Message ids seen within a TTL, in arrival order; bounded by a hard cap (oldest evicted first). */
final class SeenCache {
    private final long ttlMillis;
    private final int maxEntries;
    private final LinkedHashMap<MessageId, Long> expiry = new LinkedHashMap<>();

    SeenCache(long ttlMillis, int maxEntries) {
        this.ttlMillis = ttlMillis;
        this.maxEntries = maxEntries;
    }

    boolean contains(MessageId id) { return expiry.containsKey(id); }

    /** Adds the id; false if it was already there. */
    boolean add(MessageId id, long now) {
        if (expiry.containsKey(id)) return false;
        expiry.put(id, now + ttlMillis);
        if (expiry.size() > maxEntries) {
            Iterator<MessageId> it = expiry.keySet().iterator();
            it.next();
            it.remove();
        }
        return true;
    }

    void expire(long now) {
        Iterator<Map.Entry<MessageId, Long>> it = expiry.entrySet().iterator();
        while (it.hasNext() && it.next().getValue() <= now) it.remove();
    }

    int size() { return expiry.size(); }
}
