package io.warpstats.p2p.noise;

import io.warpstats.p2p.crypto.PublicKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A bounded cache of verified Noise identity signatures. The signature of a peer covers only its
 * static Noise key, which a libp2p node keeps for its lifetime, so every reconnection of the same
 * node presents the same (identity key, static key, signature) triple: verifying it once is enough.
 * An entry is keyed by all three values (a changed byte misses the cache and is verified).
 * At most {@link #CAPACITY} entries, least recently used evicted. Thread-safe.
 */
final class VerifiedKeys {
    static final int CAPACITY = 4096;
    private static final byte[] PREFIX = NoiseHandshake.SIG_PREFIX.getBytes(StandardCharsets.US_ASCII);

    private record Entry(PublicKey identity, byte[] staticKey, byte[] signature) {
        @Override public boolean equals(@Nullable Object o) {
            return o instanceof Entry e && e.identity.equals(identity) && Arrays.equals(e.staticKey, staticKey) && Arrays.equals(e.signature, signature);
        }
        @Override public int hashCode() { return (identity.hashCode() * 31 + Arrays.hashCode(staticKey)) * 31 + Arrays.hashCode(signature); }
    }

    private static final Map<Entry, Boolean> CACHE = new LinkedHashMap<>(64, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<Entry, Boolean> eldest) { return size() > CAPACITY; }
    };

    private VerifiedKeys() {}

    /** True if {@code signature} by {@code identity} covers {@code "noise-libp2p-static-key:" ‖ staticKey}. */
    static boolean verify(PublicKey identity, byte[] staticKey, byte[] signature) {
        Entry e = new Entry(identity, staticKey.clone(), signature.clone());
        synchronized (CACHE) {
            if (CACHE.get(e) != null) return true;
        }
        if (!identity.verify(NoiseHandshake.concat(PREFIX, staticKey), signature)) return false;
        synchronized (CACHE) {
            CACHE.put(e, Boolean.TRUE);
        }
        return true;
    }
}
