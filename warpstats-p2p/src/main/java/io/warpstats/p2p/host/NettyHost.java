package io.warpstats.p2p.host;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.warpstats.p2p.Connection;
import io.warpstats.p2p.ConnectionGate;
import io.warpstats.p2p.ConnectionListener;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.IdentifyInfo;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.ProtocolHandler;
import io.warpstats.p2p.Stream;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.identify.IdentifyMessage;
import io.warpstats.p2p.noise.NoiseIdentity;
import io.warpstats.p2p.ping.Ping;
import io.warpstats.p2p.yamux.ReceiveBudget;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Netty host; see {@link Host} for its guarantees. */
final class NettyHost implements Host {
    private static final Logger log = LoggerFactory.getLogger(NettyHost.class);
    static final String IDENTIFY = "/ipfs/id/1.0.0";
    static final String IDENTIFY_PUSH = "/ipfs/id/push/1.0.0";

    private final PrivateKey key;
    private final PeerId peerId;
    private final HostOptions options;
    private final NoiseIdentity noiseIdentity;
    private final EventLoopGroup group;
    private final ConcurrentHashMap<String, ProtocolHandler> handlers = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<HostConnection> connections = ConcurrentHashMap.newKeySet();
    private final List<Channel> servers = new CopyOnWriteArrayList<>();
    private final List<Multiaddr> listenAddrs = new CopyOnWriteArrayList<>();
    private final AtomicInteger channels = new AtomicInteger();
    private final ReceiveBudget receiveBudget;
    private final ByteCounter bytes = new ByteCounter();
    private volatile ConnectionGate gate = ConnectionGate.OPEN;
    private volatile boolean closed;

    NettyHost(PrivateKey key, HostOptions options) {
        this.key = key;
        this.peerId = PeerId.fromPublicKey(key.publicKey());
        this.options = options;
        this.noiseIdentity = new NoiseIdentity(key);
        this.receiveBudget = new ReceiveBudget(options.maxReceiveBuffer());
        this.group = new MultiThreadIoEventLoopGroup(options.ioThreads(), Transport.ioHandlerFactory());
        handlers.put(IDENTIFY, this::serveIdentify);
        handlers.put(IDENTIFY_PUSH, this::receivePush);
        handlers.put(Ping.PROTOCOL, Ping.handler());
    }

    @Override public PeerId peerId() { return peerId; }
    @Override public PrivateKey privateKey() { return key; }
    @Override public HostOptions options() { return options; }
    NoiseIdentity noiseIdentity() { return noiseIdentity; }
    ReceiveBudget receiveBudget() { return receiveBudget; }
    ConnectionGate gate() { return gate; }
    ByteCounter byteCounter() { return bytes; }
    boolean hasHandler(String p) { return handlers.containsKey(p); }
    ProtocolHandler handler(String p) { return handlers.get(p); }

    /**
     * Socket read sizes adapt between 2 KiB and 256 KiB (Netty's default stops at 64 KiB, less than
     * one full Noise frame of 65,537 bytes): a bulk transfer reads several frames per system call,
     * while an idle connection's reads stay small.
     */
    private static AdaptiveRecvByteBufAllocator readSizes() {
        return new AdaptiveRecvByteBufAllocator(64, 2048, 256 * 1024);
    }

    private WriteBufferWaterMark waterMark() {
        int high = options.connectionWriteHighWater();
        return new WriteBufferWaterMark(high / 2, high);
    }

    @Override
    public CompletableFuture<Multiaddr> listen(Multiaddr address) {
        Optional<InetSocketAddress> tcp = address.tcpAddress();
        if (tcp.isEmpty() || tcp.get().isUnresolved()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cannot listen on " + address));
        }
        CompletableFuture<Multiaddr> f = new CompletableFuture<>();
        ServerBootstrap b = new ServerBootstrap().group(group).channel(Transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, readSizes())
                .childHandler(new Upgrader(this, false, null, new CompletableFuture<>()));
        b.bind(tcp.get()).addListener(bf -> {
            if (!bf.isSuccess()) { f.completeExceptionally(bf.cause()); return; }
            Channel ch = ((io.netty.channel.ChannelFuture) bf).channel();
            servers.add(ch);
            Multiaddr bound = Multiaddr.of((InetSocketAddress) ch.localAddress());
            listenAddrs.add(bound);
            log.info("listening on {}/p2p/{}", bound, peerId);
            f.complete(bound);
        });
        return f;
    }

    @Override public List<Multiaddr> listenAddresses() { return List.copyOf(listenAddrs); }

    @Override public io.warpstats.p2p.Traffic traffic() { return new io.warpstats.p2p.Traffic(bytes.in.sum(), bytes.out.sum()); }

    /** Connection manager: counts the channel, or refuses it (limit, gate, host closed). */
    boolean admit(Channel ch, boolean initiator) {
        if (!initiator) {
            Multiaddr remote = Multiaddr.of((InetSocketAddress) ch.remoteAddress());
            String refusal = closed ? "host closed"
                    : channels.get() >= options.maxConnections() ? "connection limit " + options.maxConnections() + " reached"
                    : !gate.allow(null, remote, true) ? "gate refused address" : null;
            if (refusal != null) {
                log.info("refusing inbound connection from {}: {}", remote, refusal);
                ch.close();
                return false;
            }
        }
        channels.incrementAndGet();
        ch.closeFuture().addListener(f -> channels.decrementAndGet());
        return true;
    }

    @Override
    public CompletableFuture<Connection> dial(Multiaddr address) {
        if (closed) return CompletableFuture.failedFuture(new IOException("host closed"));
        Optional<PeerId> peer;
        Optional<InetSocketAddress> tcp;
        try {
            peer = address.peerId();
            tcp = address.tcpAddress();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (tcp.isEmpty()) return CompletableFuture.failedFuture(new IllegalArgumentException("not a TCP multiaddr: " + address));
        if (peer.isPresent()) {
            if (peer.get().equals(peerId)) return CompletableFuture.failedFuture(new IllegalArgumentException("cannot dial self"));
            Optional<Connection> existing = connection(peer.get());
            if (existing.isPresent()) return CompletableFuture.completedFuture(existing.get());
        }
        if (!gate.allow(null, address.withoutPeerIdSafe(), false)) {
            return CompletableFuture.failedFuture(new IOException("gate refused " + address));
        }
        if (channels.get() >= options.maxConnections()) {
            return CompletableFuture.failedFuture(new IOException("connection limit " + options.maxConnections() + " reached"));
        }
        CompletableFuture<Connection> f = new CompletableFuture<>();
        Bootstrap b = new Bootstrap().group(group).channel(Transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, options.dialTimeout().toMillis()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
                .option(ChannelOption.RCVBUF_ALLOCATOR, readSizes())
                .handler(new Upgrader(this, true, peer.orElse(null), f));
        b.connect(tcp.get()).addListener(cf -> {
            if (!cf.isSuccess()) f.completeExceptionally(new IOException("cannot connect to " + address + ": " + cf.cause().getMessage(), cf.cause()));
        });
        return f;
    }

    @Override
    public CompletableFuture<Stream> newStream(PeerId peer, List<String> protocols) {
        return connection(peer).map(c -> c.newStream(protocols))
                .orElseGet(() -> CompletableFuture.failedFuture(new IOException("no connection to " + peer)));
    }

    @Override
    public CompletableFuture<Stream> newStream(Multiaddr address, List<String> protocols) {
        return dial(address).thenCompose(c -> c.newStream(protocols));
    }

    @Override
    public void setHandler(String protocol, ProtocolHandler handler) {
        handlers.put(protocol, handler);
        pushIdentify();
    }

    @Override
    public void removeHandler(String protocol) {
        if (handlers.remove(protocol) != null) pushIdentify();
    }

    @Override public Set<String> protocols() { return new TreeSet<>(handlers.keySet()); }

    @Override
    public List<Connection> connections() {
        List<Connection> out = new ArrayList<>();
        for (HostConnection c : connections) if (c.isOpen()) out.add(c);
        return out;
    }

    @Override
    public Optional<Connection> connection(PeerId peer) {
        for (HostConnection c : connections) if (c.isOpen() && c.remotePeer().equals(peer)) return Optional.of(c);
        return Optional.empty();
    }

    @Override
    public Optional<IdentifyInfo> identifyInfo(PeerId peer) {
        for (HostConnection c : connections) {
            if (c.remotePeer().equals(peer) && c.identifyInfo().isPresent()) return c.identifyInfo();
        }
        return Optional.empty();
    }

    @Override public void addConnectionListener(ConnectionListener l) { listeners.add(l); }
    @Override public void removeConnectionListener(ConnectionListener l) { listeners.remove(l); }

    @Override
    public void setGate(ConnectionGate g) {
        this.gate = g;
        for (HostConnection c : connections) {
            if (!g.allow(c.remotePeer(), c.remoteAddress(), !c.isInitiator())) {
                log.info("{}: closing: refused by the new gate", c);
                c.close();
            }
        }
    }

    void connected(HostConnection c) {
        if (closed) { c.close(); return; }
        connections.add(c);
        // The upgrade asked the gate after the handshake; a gate that changed its mind since (a peer banned while
        // this connection was finishing its upgrade) is asked again now that the connection is visible: either
        // this check or the gate's own sweep of connections() sees the other's write.
        if (!gate.allow(c.remotePeer(), c.remoteAddress(), !c.isInitiator())) {
            log.info("{}: closing: refused by the gate after the upgrade", c);
            connections.remove(c);
            c.close();
            return;
        }
        log.debug("{}: connected", c);
        for (ConnectionListener l : listeners) safely(() -> l.connected(c));
    }

    void identified(HostConnection c, IdentifyInfo i) {
        for (ConnectionListener l : listeners) safely(() -> l.identified(c, i));
    }

    void disconnected(HostConnection c) {
        if (connections.remove(c)) {
            log.debug("{}: disconnected", c);
            for (ConnectionListener l : listeners) safely(() -> l.disconnected(c));
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("connection listener failed", e);
        }
    }

    // ------------------------------------------------------------------ identify

    private byte[] identifyMessage(Connection c) {
        IdentifyInfo mine = new IdentifyInfo(Optional.of(key.publicKey()), "ipfs/0.1.0", options.agentVersion(),
                listenAddrs, Optional.of(c.remoteAddress()), new ArrayList<>(protocols()));
        return IdentifyMessage.encode(mine);
    }

    private void serveIdentify(Stream s) {
        s.writeMessage(identifyMessage(s.connection()));
        s.close();
    }

    private void receivePush(Stream s) {
        s.readMessage(options.maxIdentifyMessage()).whenComplete((m, e) -> {
            if (e != null || m == null) { s.reset(); return; }
            if (s.connection() instanceof HostConnection hc) hc.accept(m, true);
            s.close();
        });
    }

    private void pushIdentify() {
        for (HostConnection c : connections) {
            // a peer not identified yet may support push: try (a refusal only costs a failed negotiation)
            if (!c.isOpen() || c.identifyInfo().map(i -> !i.supports(IDENTIFY_PUSH)).orElse(false)) continue;
            c.newStream(List.of(IDENTIFY_PUSH)).whenComplete((s, e) -> {
                if (e != null) return;
                s.writeMessage(identifyMessage(c));
                s.close();
            });
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public CompletableFuture<Void> closeAsync() {
        closed = true;
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (HostConnection c : connections) all.add(c.close());
        for (Channel s : servers) s.close();
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .orTimeout(2, TimeUnit.SECONDS)
                .handle((v, e) -> null)
                .thenCompose(v -> {
                    CompletableFuture<Void> done = new CompletableFuture<>();
                    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).addListener(f -> done.complete(null));
                    return done;
                });
    }

    @Override
    public void close() {
        try {
            closeAsync().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("host close did not finish cleanly: {}", e.toString());
        }
    }

    @Override
    public String toString() { return "host " + peerId; }
}
