package io.warpstats.p2p.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.warpstats.p2p.ProtocolViolationException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Connection-level multistream-select (before {@code /noise} and before {@code /yamux/1.0.0}).
 * The initiator pipelines the header and its one proposal; the responder answers its header at
 * once and accepts up to {@code maxAttempts} proposals, answering {@code na} to unknown ones. On
 * success it calls {@code onSelected} (which adds the next stage after this handler) and removes
 * itself; bytes that followed the negotiation are passed on to the next stage. Any violation
 * closes the channel through {@code exceptionCaught}.
 *
 * <p>A <b>lazy</b> initiator (multistream-select "V1Lazy", as go-multistream does for streams) does
 * not wait for the answer: it calls {@code onSelected} right after writing its proposal, so the next
 * stage's first bytes (the Noise handshake's first message, Yamux frames) leave in the same flush,
 * saving a round trip per negotiation. The handler stays in front of the next stage until it has read
 * the responder's header and its echo of the protocol, strips them, and hands on what follows; any
 * other answer ({@code na}) closes the connection.
 */
public final class MultistreamHandler extends ByteToMessageDecoder {
    private final boolean initiator;
    private final String protocol;
    private final int maxMessage;
    private final int maxAttempts;
    private final Consumer<ChannelHandlerContext> onSelected;
    private final boolean lazy;
    private boolean started;
    private boolean headerSeen;
    private int attempts;

    public MultistreamHandler(boolean initiator, String protocol, int maxMessage, int maxAttempts,
                              Consumer<ChannelHandlerContext> onSelected) {
        this(initiator, false, protocol, maxMessage, maxAttempts, onSelected);
    }

    /** With {@code lazy} (initiator only): the next stage starts right after the proposal (see above). */
    public MultistreamHandler(boolean initiator, boolean lazy, String protocol, int maxMessage, int maxAttempts,
                              Consumer<ChannelHandlerContext> onSelected) {
        if (lazy && !initiator) throw new IllegalArgumentException("only an initiator can be lazy");
        this.lazy = lazy;
        this.initiator = initiator;
        this.protocol = protocol;
        this.maxMessage = maxMessage;
        this.maxAttempts = maxAttempts;
        this.onSelected = onSelected;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) start(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) return;
        started = true;
        byte[] header = Multistream.encode(Multistream.PROTOCOL_ID);
        if (lazy) {
            ctx.write(Unpooled.wrappedBuffer(header, Multistream.encode(protocol)));
            onSelected.accept(ctx); // the next stage writes (and flushes) its first bytes behind the proposal
            ctx.flush();
        } else if (initiator) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(header, Multistream.encode(protocol)));
        } else {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(header));
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        while (!ctx.isRemoved()) {
            String msg = Multistream.decode(in, maxMessage);
            if (msg == null) return;
            if (!headerSeen) {
                if (!msg.equals(Multistream.PROTOCOL_ID)) throw new ProtocolViolationException("unexpected multistream header: " + msg);
                headerSeen = true;
                continue;
            }
            if (initiator) {
                if (!msg.equals(protocol)) throw new ProtocolViolationException("remote refused " + protocol + ": " + msg);
                if (lazy) ctx.pipeline().remove(this); // the next stage runs already; it gets what follows
                else done(ctx);
                return;
            }
            if (msg.equals(protocol)) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(Multistream.encode(protocol)));
                done(ctx);
                return;
            }
            if (++attempts >= maxAttempts) throw new ProtocolViolationException("too many multistream proposals");
            ctx.writeAndFlush(Unpooled.wrappedBuffer(Multistream.encode(Multistream.NA)));
        }
    }

    private void done(ChannelHandlerContext ctx) {
        onSelected.accept(ctx);
        ctx.pipeline().remove(this);
    }
}
