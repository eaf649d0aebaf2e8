package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The blocks this replica refused (bad encoding, shape, signature or author): remembered so no walk
 * fetches or applies them again, counted, and reported to the user's callback.
 *
 * <p>Bounded: the {@link #MAX_REMEMBERED} most recent rejections are remembered (insertion order,
 * the eldest forgotten first); a forgotten block that is announced again is fetched and rejected
 * again, which costs a fetch and is otherwise harmless. A rejected block's frontier record is removed
 * by the caller ({@link GroupCommit#dropFromFrontier}) between {@link #remember} and {@link #report}.
 *
 * <p>Concurrency: thread-safe (a synchronized map, a {@link LongAdder}); called from fetch sinks,
 * the verify pool's drain and announcement threads. The callback runs on the rejecting thread and
 * its exceptions are swallowed (a faulty callback must not stop the walk).
 */
final class Rejections {
    static final int MAX_REMEMBERED = 10_000;
    private final Set<Cid> rejected = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Cid, Boolean> e) {
            return size() > MAX_REMEMBERED;
        }
    }));
    private final LongAdder count = new LongAdder();
    private final java.util.Map<RejectedBlockException.Reason, LongAdder> byReason = new java.util.EnumMap<>(RejectedBlockException.Reason.class);
    private final Consumer<RejectedBlockException> onRejected;

    Rejections(Consumer<RejectedBlockException> onRejected) {
        this.onRejected = onRejected;
        for (RejectedBlockException.Reason r : RejectedBlockException.Reason.values()) byReason.put(r, new LongAdder());
    }

    boolean contains(Cid c) {
        return rejected.contains(c);
    }

    /** Remembers and counts a rejection; returns the exception to {@link #report} and throw. */
    RejectedBlockException remember(Cid cid, RejectedBlockException.Reason reason, String detail) {
        RejectedBlockException e = new RejectedBlockException(cid, reason, detail);
        rejected.add(cid);
        count.increment();
        byReason.get(reason).increment();
        return e;
    }

    /** Rejections since open by reason (every reason present). */
    java.util.Map<RejectedBlockException.Reason, Long> byReason() {
        java.util.Map<RejectedBlockException.Reason, Long> m = new java.util.EnumMap<>(RejectedBlockException.Reason.class);
        byReason.forEach((r, n) -> m.put(r, n.sum()));
        return m;
    }

    /** Hands a rejection to the user's callback; exceptions of the callback are swallowed. */
    void report(RejectedBlockException e) {
        try {
            onRejected.accept(e);
        } catch (RuntimeException ignored) {
            // a faulty callback must not stop the walk
        }
    }

    /** Rejections since open (including forgotten ones). */
    long count() {
        return count.sum();
    }
}
