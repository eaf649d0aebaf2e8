package io.warpstats.replication;

import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.crdt.ReplicationPort;
import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.pubsub.PubSub;
import io.warpstats.p2p.pubsub.PubSubMessage;
import io.warpstats.p2p.pubsub.ValidationResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** See {@link PubSubBroadcaster}. */
final class PubSubBroadcasterImpl implements PubSubBroadcaster {
    private static final Logger log = LoggerFactory.getLogger(PubSubBroadcasterImpl.class);
    private static final int MAX_REMEMBERED = 10_000;
    private static final int MAX_QUEUED = 1024;

    private final PubSub pubsub;
    private final String topic;
    private final SyncClient sync;
    private final long intervalNanos;
    private final long windowNanos;
    private final long minGapNanos;
    /** Heads waiting for the next allowed publish (coalescing), in arrival order; guarded by lastAnnounced. */
    private final Map<Cid, CrdtBroadcast.Announced> waiting = new LinkedHashMap<>();
    /** Eagerly pushed bytes of waiting heads (small local blocks); guarded by lastAnnounced. */
    private final Map<Cid, byte[]> waitingBlocks = new LinkedHashMap<>();
    private long nextPublishNanos;
    private boolean flushScheduled;
    /** head → when it was last announced (by anyone). */
    private final Map<Cid, Long> lastAnnounced = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Cid, Long> e) {
            return size() > MAX_REMEMBERED;
        }
    };
    private final ThreadPoolExecutor inbound = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(MAX_QUEUED), r -> {
        Thread t = new Thread(r, "crdt-announcements");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "crdt-rebroadcast");
        t.setDaemon(true);
        return t;
    });
    private final LongAdder published = new LongAdder();
    private final LongAdder suppressed = new LongAdder();
    private final LongAdder received = new LongAdder();
    private volatile ReplicationPort crdt;
    private volatile boolean closed;
    /**
     * The announcement the validator just parsed, for the delivery of the same message that follows it:
     * gossipsub validates and then delivers an accepted message on its single event thread, so each
     * announcement is parsed once. Written and read on that thread only; a mismatch (another message
     * in between) just parses again.
     */
    private Validated lastValidated;

    private record Validated(PubSubMessage message, CrdtBroadcast announcement) {}

    PubSubBroadcasterImpl(PubSub pubsub, String topic, SyncClient sync, Duration rebroadcastInterval, Duration minPublishGap) {
        this.pubsub = pubsub;
        this.topic = topic;
        this.sync = sync;
        this.intervalNanos = rebroadcastInterval.toNanos();
        this.windowNanos = intervalNanos / 4 * 3;
        this.minGapNanos = Math.max(0, minPublishGap.toNanos());
        this.nextPublishNanos = System.nanoTime();
    }

    @Override
    public String topic() { return topic; }

    @Override
    public void broadcast(CrdtBroadcast msg) {
        if (closed) return;
        if (io.warpstats.crdt.Trace.ON) for (var h : msg.heads()) io.warpstats.crdt.Trace.event("bcast", topic, h.cid());
        List<CrdtBroadcast.Announced> keep = new ArrayList<>(msg.heads().size());
        Map<Cid, byte[]> blocks = Map.of();
        if (!msg.blocks().isEmpty()) {
            blocks = new java.util.HashMap<>();
            for (byte[] b : msg.blocks()) blocks.put(Cid.ofDagPb(b), b);
        }
        long now = System.nanoTime();
        synchronized (lastAnnounced) {
            for (CrdtBroadcast.Announced h : msg.heads()) {
                Long t = lastAnnounced.get(h.cid());
                if (t != null && windowNanos > 0 && now - t < windowNanos) {
                    suppressed.increment();
                    continue;
                }
                keep.add(h);
            }
            if (keep.isEmpty()) return;
            if (minGapNanos > 0 && now - nextPublishNanos < 0) {
                // coalesce: publish the heads still current at the next allowed moment (a newer local
                // head links to the older ones, so they need not be announced separately)
                for (CrdtBroadcast.Announced h : keep) {
                    waiting.put(h.cid(), h);
                    byte[] b = blocks.get(h.cid());
                    if (b != null) waitingBlocks.put(h.cid(), b);
                }
                if (!flushScheduled) {
                    flushScheduled = true;
                    try {
                        timer.schedule(this::publishWaiting, nextPublishNanos - now, TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException e) {
                        flushScheduled = false; // closed
                    }
                }
                return;
            }
            for (CrdtBroadcast.Announced h : keep) lastAnnounced.put(h.cid(), now);
            nextPublishNanos = now + minGapNanos;
        }
        publish(keep, blocks);
    }

    private void publishWaiting() {
        ReplicationPort r = crdt;
        java.util.Set<Cid> current = null;
        if (r != null) {
            current = new java.util.HashSet<>();
            for (var h : r.heads()) current.add(h.cid());
        }
        List<CrdtBroadcast.Announced> keep = new ArrayList<>();
        Map<Cid, byte[]> blocks = new LinkedHashMap<>();
        long now = System.nanoTime();
        synchronized (lastAnnounced) {
            flushScheduled = false;
            for (CrdtBroadcast.Announced h : waiting.values()) {
                // superseded heads (no longer heads: a newer block links to them) are skipped
                if (current != null && h.dagName().equals(r.dagName()) && !current.contains(h.cid())) continue;
                Long t = lastAnnounced.get(h.cid());
                if (t != null && windowNanos > 0 && now - t < windowNanos) continue;
                lastAnnounced.put(h.cid(), now);
                keep.add(h);
                if (keep.size() == CrdtBroadcast.MAX_HEADS) break;
            }
            // superseded local blocks go along too (oldest first): the announced head links to
            // them, and a receiver merges the pushed chain only if it holds every link
            blocks.putAll(waitingBlocks);
            waiting.clear();
            waitingBlocks.clear();
            if (keep.isEmpty()) return;
            nextPublishNanos = now + minGapNanos;
        }
        publish(keep, blocks);
    }

    private void publish(List<CrdtBroadcast.Announced> keep, Map<Cid, byte[]> blocks) {
        if (closed) return;
        List<byte[]> push = new ArrayList<>();
        for (byte[] b : blocks.values()) {
            if (push.size() < CrdtBroadcast.MAX_EAGER_BLOCKS) push.add(b);
        }
        published.increment();
        if (io.warpstats.crdt.Trace.ON) for (var h : keep) io.warpstats.crdt.Trace.event("publish", topic, h.cid());
        pubsub.publish(topic, Announcement.encode(keep, push)).whenComplete((r, e) -> {
            if (e != null) log.debug("announcement not published: {}", e.toString());
        });
    }

    @Override
    public void attach(ReplicationPort replica) {
        this.crdt = replica;
        pubsub.addValidator(topic, m -> {
            try {
                CrdtBroadcast parsed = Announcement.decode(m.data());
                lastValidated = new Validated(m, parsed);
                return ValidationResult.ACCEPT;
            } catch (IllegalArgumentException e) {
                return ValidationResult.REJECT;
            }
        });
        pubsub.subscribe(topic, this::onMessage);
        if (intervalNanos > 0) scheduleRebroadcast();
    }

    @Override
    public void attachPublishOnly(ReplicationPort replica) {
        this.crdt = replica;
        if (intervalNanos > 0) scheduleRebroadcast();
    }

    private void onMessage(PubSubMessage m) {
        Validated v = lastValidated;
        lastValidated = null;
        CrdtBroadcast msg;
        if (v != null && v.message() == m) {
            msg = v.announcement(); // parsed once, by the validator, for this very delivery
        } else {
            try {
                msg = Announcement.decode(m.data());
            } catch (IllegalArgumentException e) {
                return; // the validator rejected it already
            }
        }
        received.increment();
        long now = System.nanoTime();
        if (io.warpstats.crdt.Trace.ON) for (var h : msg.heads()) io.warpstats.crdt.Trace.event("deliver", m.from(), h.cid());
        synchronized (lastAnnounced) {
            for (CrdtBroadcast.Announced h : msg.heads()) lastAnnounced.put(h.cid(), now);
        }
        for (CrdtBroadcast.Announced h : msg.heads()) {
            sync.hint(h.cid(), m.from());
            if (m.receivedFrom() != null) sync.hint(h.cid(), m.receivedFrom());
        }
        try {
            inbound.execute(() -> {
                ReplicationPort r = crdt;
                if (r == null || closed) return;
                try {
                    r.onBroadcast(msg);
                } catch (RuntimeException e) {
                    log.debug("announcement not handled: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("announcement queue full: dropped (it comes again)");
        }
    }

    private void scheduleRebroadcast() {
        if (closed) return;
        long jitter = (long) (intervalNanos * 0.2 * (2 * ThreadLocalRandom.current().nextDouble() - 1));
        try {
            timer.schedule(() -> {
                ReplicationPort r = crdt;
                try {
                    if (r != null && !closed) r.rebroadcast();
                } catch (RuntimeException e) {
                    log.debug("rebroadcast failed: {}", e.toString());
                }
                scheduleRebroadcast();
            }, intervalNanos + jitter, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException ignored) {
            // closed
        }
    }

    @Override
    public long published() { return published.sum(); }

    @Override
    public long suppressed() { return suppressed.sum(); }

    @Override
    public long received() { return received.sum(); }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        timer.shutdownNow();
        inbound.shutdownNow();
        try {
            pubsub.unsubscribe(topic);
        } catch (RuntimeException ignored) {
            // pubsub closed first
        }
    }
}
