package io.warpstats.p2p.host;

import io.netty.channel.Channel;
import io.warpstats.p2p.Connection;
import io.warpstats.p2p.IdentifyInfo;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.ProtocolHandler;
import io.warpstats.p2p.ProtocolViolationException;
import io.warpstats.p2p.Stream;
import io.warpstats.p2p.identify.IdentifyMessage;
import io.warpstats.p2p.multistream.StreamNegotiation;
import io.warpstats.p2p.yamux.YamuxSession;
import io.warpstats.p2p.yamux.YamuxStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An upgraded connection: stream negotiation in both directions, identify, idle timeout. */
final class HostConnection implements Connection, YamuxSession.Listener {
    private static final Logger log = LoggerFactory.getLogger(HostConnection.class);

    private final NettyHost host;
    private final Channel channel;
    private final PeerId remotePeer;
    private final boolean initiator;
    private final Multiaddr remoteAddress;
    private final Multiaddr localAddress;
    private final CompletableFuture<IdentifyInfo> identified = new CompletableFuture<>();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private volatile @Nullable IdentifyInfo info;
    private @Nullable YamuxSession session;
    private long idleSince = System.nanoTime();

    HostConnection(NettyHost host, Channel channel, PeerId remotePeer, boolean initiator) {
        this.host = host;
        this.channel = channel;
        this.remotePeer = remotePeer;
        this.initiator = initiator;
        this.remoteAddress = Multiaddr.of((InetSocketAddress) channel.remoteAddress());
        this.localAddress = Multiaddr.of((InetSocketAddress) channel.localAddress());
    }

    /** Called on the event loop once Yamux is in the pipeline. */
    void start(YamuxSession s) {
        this.session = s;
        s.attach(this);
        channel.closeFuture().addListener(f -> {
            if (!identified.isDone()) identified.completeExceptionally(new IOException("connection closed"));
            host.disconnected(this);
            closeFuture.complete(null);
        });
        host.connected(this);
        scheduleIdleCheck();
        identify();
    }

    private void identify() {
        newStream(List.of(NettyHost.IDENTIFY)).thenCompose(s -> s.readMessage(host.options().maxIdentifyMessage())
                .whenComplete((m, e) -> s.close()))
                .whenComplete((m, e) -> {
                    if (e != null) {
                        log.debug("{}: identify failed: {}", this, e.toString());
                        identified.completeExceptionally(e);
                        return;
                    }
                    if (m == null) identified.completeExceptionally(new IOException("identify stream closed without a message"));
                    else accept(m, false);
                });
    }

    /** Applies an identify message (answer or push); a key that is not the peer's is rejected. */
    boolean accept(byte[] m, boolean push) {
        IdentifyInfo i;
        try {
            i = IdentifyMessage.decode(m);
            if (i.publicKey().isPresent() && !PeerId.fromPublicKey(i.publicKey().get()).equals(remotePeer)) {
                throw new IllegalArgumentException("identify key does not match the peer id");
            }
        } catch (IllegalArgumentException e) {
            log.warn("{}: bad identify message: {}", this, e.getMessage());
            identified.completeExceptionally(new ProtocolViolationException("bad identify message: " + e.getMessage()));
            return false;
        }
        info = i;
        identified.complete(i);
        host.identified(this, i);
        return true;
    }

    @Override
    public void inboundStream(YamuxStream s) {
        var opts = host.options();
        StreamNegotiation.accept(s, host::hasHandler, opts.maxMultistreamMessage(), opts.maxNegotiationAttempts())
                .orTimeout(opts.streamNegotiationTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((p, e) -> {
                    if (e != null) {
                        log.debug("{}: inbound stream negotiation failed: {}", this, e.toString());
                        s.reset();
                        return;
                    }
                    s.negotiated(p);
                    ProtocolHandler h = host.handler(p);
                    try {
                        if (h == null) s.reset();
                        else h.handle(s);
                    } catch (RuntimeException ex) {
                        log.warn("{}: handler of {} failed: {}", this, p, ex.toString());
                        s.reset();
                    }
                });
    }

    @Override
    public void streamCountChanged(int count) {
        if (count == 0) idleSince = System.nanoTime();
    }

    private void scheduleIdleCheck() {
        long idle = host.options().idleTimeout().toNanos();
        if (idle == 0) return;
        channel.eventLoop().schedule(() -> {
            if (!channel.isOpen()) return;
            if (session.streamCount() == 0 && System.nanoTime() - idleSince >= idle) {
                log.info("{}: closing idle connection (no stream for {} ms)", this, idle / 1_000_000);
                close();
            } else {
                scheduleIdleCheck();
            }
        }, Math.max(idle / 2, 1_000_000), TimeUnit.NANOSECONDS);
    }

    @Override
    public CompletableFuture<Stream> newStream(List<String> protocols) {
        var opts = host.options();
        return session.openStream().thenCompose(s -> StreamNegotiation.select(s, protocols, opts.maxMultistreamMessage())
                .orTimeout(opts.streamNegotiationTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((p, e) -> {
                    if (e != null) {
                        s.reset();
                        throw e instanceof java.util.concurrent.CompletionException ce ? ce : new java.util.concurrent.CompletionException(e);
                    }
                    s.negotiated(p);
                    return (Stream) s;
                }));
    }

    Channel channel() { return channel; }

    @Override public PeerId remotePeer() { return remotePeer; }
    @Override public Multiaddr remoteAddress() { return remoteAddress; }
    @Override public Multiaddr localAddress() { return localAddress; }
    @Override public boolean isInitiator() { return initiator; }
    @Override public int streamCount() { return session == null ? 0 : session.streamCount(); }
    @Override public Optional<IdentifyInfo> identifyInfo() { return Optional.ofNullable(info); }
    @Override public CompletableFuture<IdentifyInfo> identified() { return identified; }
    @Override public boolean isOpen() { return channel.isOpen(); }
    @Override public CompletableFuture<Void> closeFuture() { return closeFuture; }

    @Override
    public CompletableFuture<Void> close() {
        if (session != null) session.goAwayAndClose();
        else channel.close();
        return closeFuture;
    }

    @Override
    public String toString() { return "connection " + remotePeer + " " + remoteAddress + (initiator ? " (out)" : " (in)"); }
}
