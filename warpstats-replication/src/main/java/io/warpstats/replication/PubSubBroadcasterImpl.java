package io.warpstats.replication;

import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.crdt.ReplicationPort;
import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.pubsub.PubSub;
import io.warpstats.p2p.pubsub.PubSubMessage;
import io.warpstats.p2p.pubsub.ValidationResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private static final int MAX_QUEUED = 1024;

    private final PubSub pubsub;
    private final String topic;
    private final SyncClient sync;
    private final long intervalNanos;
    private final HeadAnnouncer announcer;
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
        this.announcer = HeadAnnouncer.create(rebroadcastInterval, minPublishGap, System::nanoTime, new HeadAnnouncer.Environment() {
            @Override
            public void publish(List<CrdtBroadcast.Announced> heads, Map<Cid, byte[]> blocks) {
                PubSubBroadcasterImpl.this.publish(heads, blocks);
            }

            @Override
            public void later(long nanos, Runnable task) {
                timer.schedule(task, nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public Set<Cid> currentHeads(String dagName) {
                ReplicationPort r = crdt;
                if (r == null || !dagName.equals(r.dagName())) return null;
                Set<Cid> current = new HashSet<>();
                for (var h : r.heads()) current.add(h.cid());
                return current;
            }

            @Override
            public boolean holds(Cid cid) {
                ReplicationPort r = crdt;
                return r == null || r.hasBlock(cid);
            }
        });
    }

    @Override
    public String topic() { return topic; }

    @Override
    public void broadcast(CrdtBroadcast msg) {
        if (closed) return;
        if (io.warpstats.crdt.Trace.ON) for (var h : msg.heads()) io.warpstats.crdt.Trace.event("bcast", topic, h.cid());
        announcer.offer(msg);
    }

    private void publish(List<CrdtBroadcast.Announced> keep, Map<Cid, byte[]> blocks) {
        if (closed) return;
        List<byte[]> push = new ArrayList<>();
        for (byte[] b : blocks.values()) {
            if (push.size() < CrdtBroadcast.MAX_EAGER_BLOCKS) push.add(b);
        }
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
        if (io.warpstats.crdt.Trace.ON) for (var h : msg.heads()) io.warpstats.crdt.Trace.event("deliver", m.from(), h.cid());
        for (CrdtBroadcast.Announced h : msg.heads()) {
            sync.hint(h.cid(), m.from());
            if (m.receivedFrom() != null) sync.hint(h.cid(), m.receivedFrom());
        }
        try {
            inbound.execute(() -> {
                ReplicationPort r = crdt;
                if (r == null || closed) return;
                try {
                    announcer.heard(msg.heads()); // before the merge: a head it does not hold yet tells the replicas differ
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
    public long published() { return announcer.published(); }

    @Override
    public long suppressed() { return announcer.suppressed(); }

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
