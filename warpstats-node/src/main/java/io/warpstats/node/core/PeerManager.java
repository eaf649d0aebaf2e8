package io.warpstats.node.core;

import io.warpstats.p2p.Connection;
import io.warpstats.p2p.ConnectionListener;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.IdentifyInfo;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.ProtocolHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node connected. It remembers peers (the bootstrap list, every peer that connects, the
 * listen addresses identify reports, and the peers its neighbours list over {@value #PROTOCOL}) up
 * to {@link NodeConfig#maxKnownPeers()}; every {@link NodeConfig#maintenanceInterval()} it dials the
 * remembered peers that are not connected and whose backoff has expired: bootstrap peers always,
 * others while fewer than {@link NodeConfig#targetPeers()} are connected. A failed dial or a lost
 * connection doubles the peer's delay from {@code reconnectMin} up to {@code reconnectMax}, each
 * jittered by ±20 %; a successful connection resets it. A peer the connection gate bans is not dialed
 * while its ban lasts (each dial would cost a full handshake only to be refused) and is remembered.
 *
 * <p>Peer exchange: on every identified connection the node asks the remote for its known peers; the
 * answer is at most {@value #MAX_EXCHANGED} varint-prefixed multiaddrs with {@code /p2p} of at most
 * {@value #MAX_ADDR_BYTES} bytes each, within {@value #EXCHANGE_TIMEOUT_MS} ms; anything else resets the stream.
 */
final class PeerManager implements ConnectionListener {
    static final String PROTOCOL = "/warpstats/peers/0.1.0";
    static final int MAX_EXCHANGED = 32;
    static final int MAX_ADDR_BYTES = 256;
    static final int MAX_ADDRS_PER_PEER = 4;
    static final long EXCHANGE_TIMEOUT_MS = 5_000;
    private static final Logger log = LoggerFactory.getLogger(PeerManager.class);

    private static final class Entry {
        final List<Multiaddr> addrs = new ArrayList<>();
        boolean bootstrap;
        boolean dialing;
        int failures;
        long nextAttempt;
    }

    private final Host host;
    private final NodeConfig config;
    private final ScheduledExecutorService scheduler;
    private final java.util.function.Predicate<PeerId> banned;
    /** Keyed by peer id text, or by the address for a bootstrap address without {@code /p2p}. */
    private final Map<String, Entry> known = new LinkedHashMap<>();
    private final AtomicInteger dials = new AtomicInteger();
    private volatile boolean closed;

    /** {@code banned}: peers not to dial now (the connection gate would refuse them after a full handshake). */
    PeerManager(Host host, NodeConfig config, ScheduledExecutorService scheduler, java.util.function.Predicate<PeerId> banned) {
        this.host = host;
        this.config = config;
        this.scheduler = scheduler;
        this.banned = banned;
        for (Multiaddr a : config.bootstrap()) {
            Entry e = entry(a.peerId().map(PeerId::toString).orElse(a.toString()), true);
            if (e != null) { e.bootstrap = true; addAddr(e, a); }
        }
    }

    void start() {
        host.addConnectionListener(this);
        host.setHandler(PROTOCOL, serveExchange());
        long ms = config.maintenanceInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::maintainQuietly, 0, ms, TimeUnit.MILLISECONDS);
    }

    void close() { closed = true; }

    /** Dials started since the node started (for tests and metrics). */
    int dials() { return dials.get(); }

    synchronized Set<PeerId> knownPeers() {
        Set<PeerId> out = new HashSet<>();
        for (String k : known.keySet()) {
            if (!k.startsWith("/")) out.add(PeerId.parse(k));
        }
        return out;
    }

    /** The entry of {@code key}, created if {@code force} or below the bound; null when unknown and the bound is reached. */
    private @Nullable Entry entry(String key, boolean force) {
        Entry e = known.get(key);
        if (e == null && (force || known.size() < config.maxKnownPeers())) {
            e = new Entry();
            known.put(key, e);
        }
        return e;
    }

    private static void addAddr(Entry e, Multiaddr a) {
        if (!e.addrs.contains(a)) {
            if (e.addrs.size() >= MAX_ADDRS_PER_PEER) e.addrs.remove(e.addrs.size() - 1);
            e.addrs.add(0, a);
        }
    }

    /** Remembers {@code addr} (a dialable TCP address) for {@code peer}. */
    synchronized void learn(PeerId peer, Multiaddr addr) {
        if (peer.equals(host.peerId()) || !dialable(addr)) return;
        Entry e = entry(peer.toString(), false);
        if (e != null) addAddr(e, addr.withoutPeerIdSafe().withPeerId(peer));
    }

    private static boolean dialable(Multiaddr a) {
        Optional<InetSocketAddress> t = a.tcpAddress();
        return t.isPresent() && t.get().getPort() > 0 && !t.get().getAddress().isAnyLocalAddress();
    }

    // ---------------------------------------------------------------- connection events

    @Override
    public void connected(Connection c) {
        synchronized (this) {
            Entry e = known.get(c.remotePeer().toString());
            if (e != null) e.failures = 0;
        }
    }

    @Override
    public void identified(Connection c, IdentifyInfo info) {
        for (Multiaddr a : info.listenAddrs()) learn(c.remotePeer(), a);
        if (c.isInitiator() || info.supports(PROTOCOL)) exchange(c);
    }

    @Override
    public void disconnected(Connection c) {
        synchronized (this) {
            Entry e = known.get(c.remotePeer().toString());
            if (e != null) e.nextAttempt = System.nanoTime() + delayNanos(e.failures);
        }
    }

    private long delayNanos(int failures) {
        long min = config.reconnectMin().toNanos();
        long max = config.reconnectMax().toNanos();
        long d = failures >= 30 ? max : Math.min(max, min << Math.min(failures, 30));
        return (long) (d * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    }

    // ---------------------------------------------------------------- dialing

    private void maintainQuietly() {
        try {
            maintain();
        } catch (RuntimeException e) {
            log.warn("peer maintenance failed", e);
        }
    }

    private void maintain() {
        if (closed) return;
        long now = System.nanoTime();
        Set<PeerId> connected = new HashSet<>();
        host.connections().forEach(c -> connected.add(c.remotePeer()));
        List<Map.Entry<String, Entry>> due = new ArrayList<>();
        synchronized (this) {
            int budget = Math.max(0, config.targetPeers() - connected.size());
            for (Map.Entry<String, Entry> me : known.entrySet()) {
                Entry e = me.getValue();
                if (e.dialing || e.addrs.isEmpty() || now - e.nextAttempt < 0) continue;
                boolean byAddress = me.getKey().startsWith("/");
                boolean isConnected = byAddress ? addressConnected(e) : connected.contains(PeerId.parse(me.getKey()));
                if (isConnected || (!byAddress && banned.test(PeerId.parse(me.getKey())))) continue; // a banned peer is dialed again when its ban ends
                if (!e.bootstrap) {
                    if (budget == 0) continue;
                    budget--;
                }
                e.dialing = true;
                due.add(me);
            }
        }
        for (Map.Entry<String, Entry> me : due) dial(me.getValue());
    }

    private boolean addressConnected(Entry e) {
        Optional<InetSocketAddress> want = e.addrs.get(0).tcpAddress();
        return host.connections().stream().anyMatch(c -> c.remoteAddress().tcpAddress().equals(want));
    }

    private void dial(Entry e) {
        Multiaddr a;
        synchronized (this) {
            a = e.addrs.get(0);
        }
        dials.incrementAndGet();
        host.dial(a).whenComplete((c, err) -> {
            synchronized (this) {
                e.dialing = false;
                if (err == null) {
                    e.failures = 0;
                } else {
                    e.failures++;
                    e.nextAttempt = System.nanoTime() + delayNanos(e.failures);
                    if (e.addrs.size() > 1) e.addrs.add(e.addrs.remove(0)); // try the next address next time
                }
            }
            if (err != null) log.debug("dial {} failed ({} in a row): {}", a, e.failures, err.toString());
            else log.info("connected to {}", a);
        });
    }

    // ---------------------------------------------------------------- peer exchange

    private ProtocolHandler serveExchange() {
        return s -> {
            List<byte[]> out = new ArrayList<>();
            synchronized (this) {
                for (Map.Entry<String, Entry> me : known.entrySet()) {
                    if (out.size() >= MAX_EXCHANGED) break;
                    Entry e = me.getValue();
                    if (!me.getKey().startsWith("/") && !e.addrs.isEmpty() && e.addrs.get(0).peerId().isPresent()
                            && !e.addrs.get(0).peerId().get().equals(s.remotePeer())) {
                        out.add(e.addrs.get(0).toBytes());
                    }
                }
            }
            for (byte[] b : out) s.writeMessage(b);
            s.close();
        };
    }

    private void exchange(Connection c) {
        if (closed) return;
        AtomicInteger count = new AtomicInteger();
        c.newStream(List.of(PROTOCOL)).thenCompose(s -> {
            s.closeWrite();
            return s.forEachMessage(MAX_ADDR_BYTES, b -> {
                if (count.incrementAndGet() > MAX_EXCHANGED) throw new IllegalStateException("too many peers offered");
                Multiaddr a = Multiaddr.fromBytes(b);
                a.peerId().ifPresent(p -> learn(p, a));
            }).orTimeout(EXCHANGE_TIMEOUT_MS, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
                if (e != null) s.reset(); else s.close();
            });
        }).whenComplete((v, e) -> {
            if (e != null) log.debug("peer exchange with {} failed: {}", c.remotePeer(), e.toString());
        });
    }
}
