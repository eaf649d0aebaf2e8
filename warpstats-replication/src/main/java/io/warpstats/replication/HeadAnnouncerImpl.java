package io.warpstats.replication;

import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.multiformats.Cid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/** See {@link HeadAnnouncer}. */
final class HeadAnnouncerImpl implements HeadAnnouncer {
    /** A head's quiet window: it was last announced at {@code last}, in the k-th window of its life. */
    private static final class Window {
        long last;
        int k;

        Window(long last) { this.last = last; }
    }

    private final long intervalNanos;
    private final long minGapNanos;
    private final LongSupplier clock;
    private final Environment env;
    /** head → its window; access order, the least recently announced forgotten first. Guarded by itself. */
    private final Map<Cid, Window> windows = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Cid, Window> e) {
            return size() > MAX_REMEMBERED;
        }
    };
    /** Heads waiting for the next allowed publish (coalescing), in arrival order; guarded by windows. */
    private final Map<Cid, CrdtBroadcast.Announced> waiting = new LinkedHashMap<>();
    /** Pushed bytes of waiting heads and of the local blocks they link to; guarded by windows. */
    private final Map<Cid, byte[]> waitingBlocks = new LinkedHashMap<>();
    /**
     * When the announcement after the next one is due at the steady rate of one per gap (the theoretical
     * arrival time of the generic cell rate algorithm, ITU-T I.371): an announcement may go out once
     * {@code now >= tat - (BURST - 1) × gap}, and moves it to {@code max(tat, now) + gap}. Guarded by windows.
     */
    private long tat;
    private boolean flushScheduled;
    private long published;
    private long suppressed;

    HeadAnnouncerImpl(long intervalNanos, long minGapNanos, LongSupplier clock, Environment env) {
        this.intervalNanos = intervalNanos;
        this.minGapNanos = minGapNanos;
        this.clock = clock;
        this.env = env;
        this.tat = clock.getAsLong();
    }

    /** The earliest moment the next announcement may go out. */
    private long allowedAt() {
        return tat - (BURST - 1) * minGapNanos;
    }

    /** An announcement goes out at {@code now}: the budget of the steady rate is charged. */
    private void charge(long now) {
        tat = Math.max(tat, now) + minGapNanos;
    }

    private long windowNanos(int k) {
        return (intervalNanos << k) / 4 * 3;
    }

    private boolean quiet(Cid head, long now) {
        Window w = windows.get(head);
        return w != null && intervalNanos > 0 && now - w.last < windowNanos(w.k);
    }

    /** The head is announced now (by anyone): a new window starts unless one is running. */
    private void mark(Cid head, long now) {
        Window w = windows.get(head);
        if (w == null) {
            windows.put(head, new Window(now));
        } else if (intervalNanos <= 0 || now - w.last >= windowNanos(w.k)) {
            w.k = Math.min(MAX_DOUBLINGS, w.k + 1);
            w.last = now;
        }
    }

    @Override
    public void offer(CrdtBroadcast msg) {
        List<CrdtBroadcast.Announced> keep = new ArrayList<>(msg.heads().size());
        Map<Cid, byte[]> blocks = Map.of();
        if (!msg.blocks().isEmpty()) {
            blocks = new HashMap<>();
            for (byte[] b : msg.blocks()) blocks.put(Cid.ofDagPb(b), b);
        }
        long now = clock.getAsLong();
        boolean publishNow = false, schedule = false;
        long wait = 0;
        synchronized (windows) {
            for (CrdtBroadcast.Announced h : msg.heads()) {
                if (quiet(h.cid(), now)) {
                    suppressed++;
                    continue;
                }
                keep.add(h);
            }
            if (keep.isEmpty()) return;
            if (minGapNanos > 0 && now - allowedAt() < 0) {
                // coalesce: publish the heads still current at the next allowed moment (a newer local
                // head links to the older ones, so they need not be announced separately)
                for (CrdtBroadcast.Announced h : keep) {
                    waiting.put(h.cid(), h);
                    byte[] b = blocks.get(h.cid());
                    if (b != null) waitingBlocks.put(h.cid(), b);
                }
                if (!flushScheduled) {
                    flushScheduled = true;
                    schedule = true;
                    wait = allowedAt() - now;
                }
            } else {
                for (CrdtBroadcast.Announced h : keep) mark(h.cid(), now);
                charge(now);
                published++;
                publishNow = true;
            }
        }
        if (publishNow) {
            env.publish(keep, blocks);
            return;
        }
        if (!schedule) return;
        try {
            env.later(wait, this::publishWaiting);
        } catch (RejectedExecutionException e) {
            synchronized (windows) {
                flushScheduled = false; // closed
            }
        }
    }

    private void publishWaiting() {
        List<CrdtBroadcast.Announced> candidates;
        synchronized (windows) {
            candidates = new ArrayList<>(waiting.values());
        }
        Map<String, Set<Cid>> current = new HashMap<>();
        for (CrdtBroadcast.Announced h : candidates) current.computeIfAbsent(h.dagName(), env::currentHeads);
        List<CrdtBroadcast.Announced> keep = new ArrayList<>();
        Map<Cid, byte[]> blocks = new LinkedHashMap<>();
        long now = clock.getAsLong();
        synchronized (windows) {
            flushScheduled = false;
            for (CrdtBroadcast.Announced h : waiting.values()) {
                // superseded heads (a newer block links to them) are left out: its announcement covers them
                Set<Cid> heads = current.get(h.dagName());
                if (heads != null && !heads.contains(h.cid())) continue;
                if (quiet(h.cid(), now)) continue;
                mark(h.cid(), now);
                keep.add(h);
                if (keep.size() == CrdtBroadcast.MAX_HEADS) break;
            }
            // superseded local blocks go along too (oldest first): the announced head links to
            // them, and a receiver merges the pushed chain only if it holds every link
            blocks.putAll(waitingBlocks);
            waiting.clear();
            waitingBlocks.clear();
            if (keep.isEmpty()) return;
            charge(now);
            published++;
        }
        env.publish(keep, blocks);
    }

    @Override
    public void heard(List<CrdtBroadcast.Announced> heads) {
        boolean unknown = false;
        for (CrdtBroadcast.Announced h : heads) {
            if (!env.holds(h.cid())) {
                unknown = true;
                break;
            }
        }
        Map<String, Set<Cid>> own = new HashMap<>();
        if (unknown) for (CrdtBroadcast.Announced h : heads) own.computeIfAbsent(h.dagName(), env::currentHeads);
        long now = clock.getAsLong();
        synchronized (windows) {
            for (CrdtBroadcast.Announced h : heads) mark(h.cid(), now);
            for (Set<Cid> mine : own.values()) {
                if (mine == null) continue;
                for (Cid c : mine) {
                    Window w = windows.get(c);
                    if (w != null) w.k = 0; // the replicas differ: back to one interval
                }
            }
        }
    }

    @Override
    public long published() {
        synchronized (windows) {
            return published;
        }
    }

    @Override
    public long suppressed() {
        synchronized (windows) {
            return suppressed;
        }
    }
}
