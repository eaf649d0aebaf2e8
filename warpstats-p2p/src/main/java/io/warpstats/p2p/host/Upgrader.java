package io.warpstats.p2p.host;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.ScheduledFuture;
import io.warpstats.p2p.Connection;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.ProtocolViolationException;
import io.warpstats.p2p.multistream.MultistreamHandler;
import io.warpstats.p2p.noise.NoiseHandler;
import io.warpstats.p2p.yamux.YamuxSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the pipeline of one TCP connection and drives its upgrade:
 * {@code /multistream/1.0.0 → /noise → /multistream/1.0.0 → /yamux/1.0.0}. A "guard" handler stays
 * last: it logs the reason of any failure and closes the channel. The whole upgrade must finish
 * within {@code handshakeTimeout}.
 */
final class Upgrader extends ChannelInitializer<Channel> {
    private static final Logger log = LoggerFactory.getLogger(Upgrader.class);
    static final String NOISE = "/noise";
    static final String YAMUX = "/yamux/1.0.0";

    private final NettyHost host;
    private final boolean initiator;
    private final @Nullable PeerId expected;
    private final CompletableFuture<Connection> result;

    Upgrader(NettyHost host, boolean initiator, @Nullable PeerId expected, CompletableFuture<Connection> result) {
        this.host = host;
        this.initiator = initiator;
        this.expected = expected;
        this.result = result;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (!host.admit(ch, initiator)) return;
        p.addFirst("bytes", host.byteCounter());
        ScheduledFuture<?> timeout = ch.eventLoop().schedule(() -> {
            if (p.get("yamux") == null && ch.isOpen()) {
                log.warn("{}: closing connection: handshake timeout ({} ms)", ch, host.options().handshakeTimeout().toMillis());
                result.completeExceptionally(new IOException("handshake timeout"));
                ch.close();
            }
        }, host.options().handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(f -> timeout.cancel(false));
        p.addLast("guard", new Guard());
        int maxMsg = host.options().maxMultistreamMessage(), attempts = host.options().maxNegotiationAttempts();
        // the dialer is lazy (V1Lazy): the Noise handshake's first message follows its proposal at once
        p.addBefore("guard", "mss-noise", new MultistreamHandler(initiator, initiator, NOISE, maxMsg, attempts, c1 ->
                NoiseHandler.install(p, "guard", initiator, host.noiseIdentity(), expected, this::secured)));
    }

    private void secured(ChannelHandlerContext ctx, PeerId remote) throws Exception {
        Channel ch = ctx.channel();
        Multiaddr remoteAddr = Multiaddr.of((InetSocketAddress) ch.remoteAddress());
        if (!host.gate().allow(remote, remoteAddr, !initiator)) {
            throw new ProtocolViolationException("gate refused peer " + remote);
        }
        ChannelPipeline p = ch.pipeline();
        int maxMsg = host.options().maxMultistreamMessage(), attempts = host.options().maxNegotiationAttempts();
        // lazy dialer again: the connection is ready (and may open streams) right after the proposal
        p.addBefore("guard", "mss-yamux", new MultistreamHandler(initiator, initiator, YAMUX, maxMsg, attempts, c2 -> {
            HostConnection conn = new HostConnection(host, ch, remote, initiator);
            YamuxSession session = new YamuxSession(initiator, host.options(), host.receiveBudget(), conn);
            p.addBefore("guard", "yamux", session);
            conn.start(session);
            result.complete(conn);
        }));
    }

    /** Last handler: logs and closes on any failure; fails the pending dial if the channel dies early. */
    private final class Guard extends ChannelInboundHandlerAdapter {
        private boolean failed;

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (failed) return; // the first reason is the one that matters
            failed = true;
            String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            if (cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null) {
                reason = cause.getCause().getMessage() == null ? cause.getCause().toString() : cause.getCause().getMessage();
            }
            if (cause instanceof IOException && !(cause instanceof ProtocolViolationException)
                    && !(cause.getCause() instanceof ProtocolViolationException)) {
                log.debug("{}: closing connection: {}", ctx.channel(), reason); // the peer went away
            } else {
                log.warn("{}: closing connection: {}", ctx.channel(), reason);
            }
            result.completeExceptionally(cause instanceof IOException ? cause : new IOException(reason, cause));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!result.isDone()) result.completeExceptionally(new IOException("connection closed during the handshake"));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }
}
