package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.Connection;
import io.warpstats.p2p.ConnectionListener;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.IdentifyInfo;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.Stream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PubSub} on a libp2p {@link Host}. One single-threaded event loop owns the
 * {@link GossipRouter}; network threads only decode frames and hand them over.
 *
 * <p>Streams: inbound streams of {@code /meshsub/1.2.0}, {@code /meshsub/1.1.0}, {@code /meshsub/1.0.0}
 * and {@code /floodsub/1.0.0} are read as varint-length-prefixed RPC frames (at most
 * {@link GossipParams#maxRpcBytes()}). Our one outbound stream per peer is opened once identify
 * lists a pubsub protocol of the peer (or when the peer opened one to us), negotiating the most
 * preferred protocol both speak; the router treats the peer according to that protocol. RPCs to a
 * peer wait in a queue bounded by {@link GossipParams#maxOutboundQueue()}: beyond it they are
 * dropped (counted, not penalized). Undecodable frames are penalized too; more than
 * {@value #MAX_PENDING_INBOUND} frames, or {@value #MAX_PENDING_INBOUND_BYTES} bytes of frames, of one peer
 * waiting for the loop are dropped (not penalized).
 */
final class HostPubSub implements PubSub {
    private static final Logger log = LoggerFactory.getLogger(HostPubSub.class);
    static final int MAX_PENDING_INBOUND = 256;
    /** Bytes of a peer's frames waiting for the loop, at most (frames may be 1 MiB: 256 of them would be 256 MiB). */
    static final int MAX_PENDING_INBOUND_BYTES = 8 << 20;

    /** Per-peer transport state; touched only on the loop. */
    private static final class PeerLink {
        @Nullable Stream out;
        boolean opening;
        boolean attached;
        boolean closed;
        final ArrayDeque<byte[]> waiting = new ArrayDeque<>();
        int inFlight;
        final AtomicInteger pendingInbound = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong pendingInboundBytes = new java.util.concurrent.atomic.AtomicLong();
        final List<Stream> inbound = new ArrayList<>();
    }

    private final Host host;
    private final GossipParams params;
    private final RpcCodec.Limits limits;
    private final ScheduledExecutorService loop;
    private final GossipRouter router;
    private final Map<PeerId, PeerLink> links = new HashMap<>();
    private final Map<String, Consumer<PubSubMessage>> handlers = new ConcurrentHashMap<>();
    private final List<Consumer<PubSubEvent>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> heartbeat;
    private final ConnectionListener connectionListener;
    private final long start = System.nanoTime();
    private volatile boolean closed;
    /** Inbound frames dropped because our loop was behind (not counted against the peer). */
    final java.util.concurrent.atomic.LongAdder shedInbound = new java.util.concurrent.atomic.LongAdder();

    HostPubSub(Host host, GossipParams params) {
        this.host = host;
        this.params = params;
        this.limits = RpcCodec.Limits.of(params);
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pubsub-" + host.peerId().toString().substring(Math.max(0, host.peerId().toString().length() - 6)));
            t.setDaemon(true);
            return t;
        });
        this.router = new GossipRouter(host.peerId(), host.privateKey(), params,
                () -> (System.nanoTime() - start) / 1_000_000L, new Random(), new RouterOutput());
        long hb = params.heartbeatInterval().toMillis();
        this.heartbeat = loop.scheduleAtFixedRate(this::safeHeartbeat, Math.min(100, hb), hb, TimeUnit.MILLISECONDS);
        for (PubSubProtocol p : PubSubProtocol.values()) host.setHandler(p.id(), this::onInboundStream);
        this.connectionListener = new ConnectionListener() {
            @Override public void connected(Connection c) { c.identified().thenAccept(info -> onIdentified(c, info)); }

            @Override public void identified(Connection c, IdentifyInfo info) { onIdentified(c, info); }

            @Override public void disconnected(Connection c) { run(() -> onDisconnected(c.remotePeer())); }
        };
        host.addConnectionListener(connectionListener);
        for (Connection c : host.connections()) c.identified().thenAccept(info -> onIdentified(c, info));
    }

    // ------------------------------------------------------------------ API

    @Override
    public void subscribe(String topic, Consumer<PubSubMessage> handler) {
        handlers.put(topic, handler);
        run(() -> router.subscribe(topic));
    }

    @Override
    public void unsubscribe(String topic) {
        handlers.remove(topic);
        run(() -> router.unsubscribe(topic));
    }

    @Override
    public CompletableFuture<PublishResult> publish(String topic, byte[] data) {
        byte[] copy = data.clone();
        return call(() -> router.publish(topic, copy));
    }

    @Override
    public void addValidator(String topic, Validator validator) { run(() -> router.addValidator(topic, validator)); }

    @Override
    public CompletableFuture<Set<PeerId>> peers(String topic) { return call(() -> router.peers(topic)); }

    @Override
    public CompletableFuture<Set<PeerId>> mesh(String topic) { return call(() -> router.mesh(topic)); }

    @Override
    public void addEventListener(Consumer<PubSubEvent> listener) { listeners.add(listener); }

    @Override
    public PubSubMetrics metrics() {
        return new PubSubMetrics(router.delivered.sum(), router.invalid.sum(), router.duplicates.sum(), router.graylisted.sum(),
                shedInbound.sum(), router.droppedOutbound.sum());
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        heartbeat.cancel(false);
        host.removeConnectionListener(connectionListener);
        for (PubSubProtocol p : PubSubProtocol.values()) host.removeHandler(p.id());
        try {
            loop.submit(() -> {
                for (PeerLink l : links.values()) {
                    if (l.out != null) l.out.close();
                    l.inbound.forEach(Stream::close);
                }
                links.clear();
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("pubsub close: {}", e.toString());
        }
        loop.shutdownNow();
    }

    // ------------------------------------------------------------------ transport

    private void onIdentified(Connection c, IdentifyInfo info) {
        List<String> common = new ArrayList<>();
        for (String id : PubSubProtocol.ids()) if (info.supports(id)) common.add(id);
        if (common.isEmpty()) return;
        run(() -> openOutbound(c.remotePeer(), common, c.isInitiator()));
    }

    /** Loop only. */
    private void openOutbound(PeerId peer, List<String> protocols, boolean weDialed) {
        PeerLink l = links.computeIfAbsent(peer, k -> new PeerLink());
        if (l.out != null || l.opening || closed) return;
        l.opening = true;
        host.newStream(peer, protocols).whenComplete((s, err) -> run(() -> {
            l.opening = false;
            if (err != null || closed) {
                log.debug("pubsub stream to {} failed: {}", peer, err == null ? "closed" : err.toString());
                if (s != null) s.reset();
                return;
            }
            if (links.get(peer) != l) { // peer went away meanwhile
                s.close();
                return;
            }
            l.out = s;
            attach(peer, l, PubSubProtocol.of(s.protocol()).orElse(PubSubProtocol.MESHSUB_V11), weDialed);
            flush(peer, l);
            s.closeFuture().whenComplete((v, e) -> run(() -> {
                if (links.get(peer) == l && l.out == s) onDisconnected(peer);
            }));
        }));
    }

    private void attach(PeerId peer, PeerLink l, PubSubProtocol protocol, boolean outbound) {
        if (l.attached) return;
        l.attached = true;
        router.addPeer(peer, protocol, outbound);
    }

    private void onInboundStream(Stream s) {
        PeerId peer = s.remotePeer();
        PubSubProtocol protocol = PubSubProtocol.of(s.protocol()).orElse(PubSubProtocol.MESHSUB_V11);
        run(() -> {
            PeerLink l = links.computeIfAbsent(peer, k -> new PeerLink());
            l.inbound.add(s);
            attach(peer, l, protocol, s.connection().isInitiator());
            openOutbound(peer, List.of(protocol.id()), s.connection().isInitiator());
            AtomicInteger pending = l.pendingInbound;
            java.util.concurrent.atomic.AtomicLong pendingBytes = l.pendingInboundBytes;
            s.forEachMessage(params.maxRpcBytes(), frame -> {
                int size = frame.length;
                boolean tooMany = pending.incrementAndGet() > MAX_PENDING_INBOUND;
                if (pendingBytes.addAndGet(size) > MAX_PENDING_INBOUND_BYTES || tooMany) {
                    // OUR loop is behind (CPU starvation, a burst): shed the frame, but the peer did
                    // nothing wrong — a penalty here turned local overload into pruning and
                    // graylisting of healthy peers (mesh 0, replication stopped for good). Lost
                    // announcements come again (rebroadcast) or via IHAVE gossip.
                    pending.decrementAndGet();
                    pendingBytes.addAndGet(-size);
                    shedInbound.increment();
                    return;
                }
                Rpc rpc;
                try {
                    rpc = RpcCodec.decode(frame, limits);
                } catch (MalformedRpcException e) {
                    pending.decrementAndGet();
                    pendingBytes.addAndGet(-size);
                    log.debug("malformed RPC from {}: {}", peer, e.getMessage());
                    run(() -> router.onMalformedRpc(peer));
                    return;
                }
                run(() -> {
                    pending.decrementAndGet();
                    pendingBytes.addAndGet(-size);
                    router.onRpc(peer, rpc);
                });
            }).whenComplete((v, e) -> {
                if (e != null) {
                    log.debug("pubsub stream from {} ended: {}", peer, e.toString());
                    s.reset();
                } else {
                    s.close();
                }
                run(() -> l.inbound.remove(s));
            });
        });
    }

    private void onDisconnected(PeerId peer) {
        PeerLink l = links.get(peer);
        if (l == null) return;
        boolean outAlive = l.out != null && !l.out.closeFuture().isDone();
        if (host.connection(peer).isPresent() && (outAlive || l.opening)) return; // another connection still serves it
        links.remove(peer);
        l.closed = true;
        if (l.out != null) l.out.reset();
        l.inbound.forEach(Stream::reset);
        router.removePeer(peer);
    }

    /** Loop only: queue an RPC for the peer and write what the bounds allow. */
    private void send(PeerId peer, Rpc rpc) {
        PeerLink l = links.get(peer);
        if (l == null || l.closed) return;
        byte[] frame = rpc.encode();
        if (frame.length > params.maxRpcBytes()) {
            log.warn("dropping an RPC of {} bytes to {}: above the frame limit", frame.length, peer);
            return;
        }
        if (l.waiting.size() + l.inFlight >= params.maxOutboundQueue()) {
            router.onOutboundOverflow(peer);
            return;
        }
        l.waiting.add(frame);
        flush(peer, l);
    }

    private void flush(PeerId peer, PeerLink l) {
        if (l.out == null) return;
        while (!l.waiting.isEmpty()) {
            byte[] frame = l.waiting.poll();
            l.inFlight++;
            Stream out = l.out;
            out.writeMessage(frame).whenComplete((v, e) -> run(() -> {
                l.inFlight--;
                if (e != null && !l.closed) {
                    log.debug("write to {} failed: {}", peer, e.toString());
                    out.reset();
                }
            }));
        }
    }

    /** Tests: runs {@code r} on the router loop (e.g. to stall it). */
    void onLoop(Runnable r) { run(r); }

    /** Tests: the router's score of {@code peer}, read on the loop. */
    CompletableFuture<Double> score(PeerId peer) { return call(() -> router.score(peer)); }

    private void safeHeartbeat() {
        try {
            router.heartbeat();
        } catch (RuntimeException e) {
            log.error("pubsub heartbeat failed", e);
        }
    }

    private void run(Runnable r) {
        if (closed && loop.isShutdown()) return;
        try {
            loop.execute(logged(r));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    /** {@code r}, with a failure logged instead of thrown into the loop. */
    private static Runnable logged(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.error("pubsub event failed", e);
            }
        };
    }

    private <T> CompletableFuture<T> call(Supplier<T> s) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new IllegalStateException("pubsub closed"));
            return f;
        }
        try {
            loop.execute(() -> {
                try {
                    f.complete(s.get());
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            f.completeExceptionally(new IllegalStateException("pubsub closed"));
        }
        return f;
    }

    private final class RouterOutput implements GossipRouter.Output {
        @Override
        public void send(PeerId to, Rpc rpc) { HostPubSub.this.send(to, rpc); }

        @Override
        public void deliver(PubSubMessage message) {
            Consumer<PubSubMessage> h = handlers.get(message.topic());
            if (h == null) return;
            try {
                h.accept(message);
            } catch (RuntimeException e) {
                log.warn("pubsub handler of {} failed", message.topic(), e);
            }
        }

        @Override
        public void later(long millis, Runnable task) {
            if (closed) return;
            try {
                loop.schedule(logged(task), millis, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed
            }
        }

        @Override
        public void event(PubSubEvent event) {
            for (Consumer<PubSubEvent> l : listeners) {
                try {
                    l.accept(event);
                } catch (RuntimeException e) {
                    log.warn("pubsub listener failed", e);
                }
            }
        }
    }
}
