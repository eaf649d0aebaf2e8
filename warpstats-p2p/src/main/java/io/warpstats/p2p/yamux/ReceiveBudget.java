package io.warpstats.p2p.yamux;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes a host may hold received but unread, shared by all its streams. Thread-safe.
 * A stream reserves before buffering and releases as its reader consumes (or when it ends).
 */
public final class ReceiveBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public ReceiveBudget(long limit) { this.limit = limit; }

    /** Reserves {@code n} bytes, or returns false (reserving nothing) if that would exceed the limit. */
    boolean tryReserve(long n) {
        while (true) {
            long u = used.get();
            if (u + n > limit) return false;
            if (used.compareAndSet(u, u + n)) return true;
        }
    }

    void release(long n) { if (n > 0) used.addAndGet(-n); }

    /** Bytes currently reserved. */
    public long used() { return used.get(); }
}
