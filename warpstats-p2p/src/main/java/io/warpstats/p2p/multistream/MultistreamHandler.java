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
 */
public final class MultistreamHandler extends ByteToMessageDecoder {
    private final boolean initiator;
    private final String protocol;
    private final int maxMessage;
    private final int maxAttempts;
    private final Consumer<ChannelHandlerContext> onSelected;
    private boolean started;
    private boolean headerSeen;
    private int attempts;

    public MultistreamHandler(boolean initiator, String protocol, int maxMessage, int maxAttempts,
                              Consumer<ChannelHandlerContext> onSelected) {
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
        if (initiator) {
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
                done(ctx);
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
