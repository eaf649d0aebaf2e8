package io.warpstats.p2p.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.ProtocolViolationException;

/**
 * The Noise secure channel in a Netty pipeline: frames are {@code u16 big-endian length ‖ bytes}
 * (at most 65535 bytes, so a frame never needs more memory than that). Runs the XX handshake,
 * checks that the remote is the expected peer (when the dialer knows it), then encrypts outbound
 * bytes (split into frames of at most 65519 bytes of plaintext) and decrypts inbound frames.
 * A forged, truncated or out-of-order frame raises an exception, which closes the connection.
 */
public final class NoiseHandler extends ChannelDuplexHandler {
    /** The largest Noise message. */
    public static final int MAX_FRAME = 65535;
    private static final int MAX_PLAINTEXT = MAX_FRAME - CipherState.TAG;
    private static final byte[] EMPTY = new byte[0];

    /** Called once the remote is authenticated; installs the next stage after this handler. */
    public interface SecuredListener {
        void secured(ChannelHandlerContext ctx, PeerId remote) throws Exception;
    }

    private final boolean initiator;
    private final PeerId expected;
    private final SecuredListener listener;
    private final NoiseHandshake handshake;
    private CipherState send;
    private CipherState recv;

    private NoiseHandler(boolean initiator, NoiseIdentity identity, PeerId expected, SecuredListener listener) {
        this.initiator = initiator;
        this.expected = expected;
        this.listener = listener;
        this.handshake = new NoiseHandshake(initiator, identity);
    }

    /** Adds the frame decoder and the Noise handler to {@code p}, before the handler named {@code before}. */
    public static void install(ChannelPipeline p, String before, boolean initiator, NoiseIdentity identity, PeerId expected, SecuredListener listener) {
        p.addBefore(before, "noise-frames", new LengthFieldBasedFrameDecoder(MAX_FRAME + 2, 0, 2, 0, 2));
        p.addBefore(before, "noise", new NoiseHandler(initiator, identity, expected, listener));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        if (initiator) writeHandshake(ctx);
    }

    private void writeHandshake(ChannelHandlerContext ctx) throws Exception {
        byte[] m = handshake.writeMessage();
        ByteBuf out = ctx.alloc().buffer(2 + m.length);
        out.writeShort(m.length).writeBytes(m);
        ctx.writeAndFlush(out);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (recv == null) {
                handshake.readMessage(ByteBufUtil.getBytes(frame));
                if (handshake.isMyTurn()) writeHandshake(ctx);
                if (handshake.isComplete()) {
                    PeerId remote = handshake.remotePeer();
                    if (expected != null && !expected.equals(remote)) {
                        throw new ProtocolViolationException("remote is " + remote + ", dialed " + expected);
                    }
                    CipherState[] cs = handshake.split();
                    send = cs[0];
                    recv = cs[1];
                    listener.secured(ctx, remote);
                }
                return;
            }
            int len = frame.readableBytes();
            if (len < CipherState.TAG) throw new ProtocolViolationException("noise frame shorter than its tag");
            ByteBuf out = ctx.alloc().heapBuffer(len - CipherState.TAG);
            try {
                byte[] in;
                int off;
                if (frame.hasArray()) {
                    in = frame.array();
                    off = frame.arrayOffset() + frame.readerIndex();
                } else {
                    in = ByteBufUtil.getBytes(frame);
                    off = 0;
                }
                int n = recv.decrypt(EMPTY, in, off, len, out.array(), out.arrayOffset());
                out.writerIndex(n);
            } catch (Exception e) {
                out.release();
                throw e;
            }
            ctx.fireChannelRead(out);
        } finally {
            frame.release();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.write(msg, promise);
            return;
        }
        try {
            if (send == null) throw new IllegalStateException("write before the noise handshake completed");
            int len = buf.readableBytes();
            int frames = Math.max(1, (len + MAX_PLAINTEXT - 1) / MAX_PLAINTEXT);
            ByteBuf out = ctx.alloc().heapBuffer(len + frames * (2 + CipherState.TAG));
            try {
                byte[] in = buf.hasArray() ? buf.array() : ByteBufUtil.getBytes(buf);
                int base = buf.hasArray() ? buf.arrayOffset() + buf.readerIndex() : 0;
                byte[] o = out.array();
                int w = out.arrayOffset();
                for (int off = 0; off < len || (len == 0 && off == 0); off += MAX_PLAINTEXT) {
                    int n = Math.min(MAX_PLAINTEXT, len - off);
                    o[w] = (byte) ((n + CipherState.TAG) >>> 8);
                    o[w + 1] = (byte) (n + CipherState.TAG);
                    w += 2 + send.encrypt(EMPTY, in, base + off, n, o, w + 2);
                    if (len == 0) break;
                }
                out.writerIndex(w - out.arrayOffset());
            } catch (Exception e) {
                out.release();
                throw e;
            }
            ctx.write(out, promise);
        } finally {
            buf.release();
        }
    }
}
