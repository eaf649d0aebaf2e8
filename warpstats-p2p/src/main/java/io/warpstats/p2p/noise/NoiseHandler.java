package io.warpstats.p2p.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.PromiseNotifier;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.ProtocolViolationException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The Noise secure channel in a Netty pipeline: frames are {@code u16 big-endian length ‖ bytes}
 * (at most 65535 bytes, so a frame never needs more memory than that). Runs the XX handshake,
 * checks that the remote is the expected peer (when the dialer knows it), then encrypts outbound
 * bytes — gathered per flush into frames of at most 65519 bytes of plaintext, see {@link #write} —
 * and decrypts inbound frames, both on direct buffers.
 * A forged, truncated or out-of-order frame raises an exception, which closes the connection.
 */
public final class NoiseHandler extends ChannelDuplexHandler {
    /** The largest Noise message. */
    public static final int MAX_FRAME = 65535;
    private static final int MAX_PLAINTEXT = MAX_FRAME - CipherState.TAG;

    /** Which implementations this JVM uses, e.g. {@code "AEAD OpenSSL 3.0.19 …, X25519 OpenSSL"} (benchmark headers, logs). */
    public static String cryptoProviders() {
        return "AEAD " + Aead.provider() + ", X25519 " + X25519.provider();
    }

    /** Called once the remote is authenticated; installs the next stage after this handler. */
    public interface SecuredListener {
        void secured(ChannelHandlerContext ctx, PeerId remote) throws Exception;
    }

    private final boolean initiator;
    private final PeerId expected;
    private final SecuredListener listener;
    private final NoiseHandshake handshake;
    private @Nullable CipherState send;
    private @Nullable CipherState recv;
    /** Plaintext written since the last seal (retained slices of the writes, ≤ MAX_PLAINTEXT bytes in all). */
    private final ArrayList<ByteBuf> pending = new ArrayList<>();
    private int pendingBytes;
    /** The last part of {@code pending} when it collects small writes by copy (direct), else null. */
    private @Nullable ByteBuf tail;
    /** Writes below this size are copied into {@code tail}: fewer, larger parts for the cipher. */
    private static final int COPY_BELOW = 1024;
    private static final int TAIL_CAPACITY = 4096;
    /** Promises of writes whose last byte is in {@code pending} (or that were empty). */
    private final ArrayList<ChannelPromise> waiting = new ArrayList<>();

    private NoiseHandler(boolean initiator, NoiseIdentity identity, PeerId expected, SecuredListener listener) {
        this.initiator = initiator;
        this.expected = expected;
        this.listener = listener;
        this.handshake = new NoiseHandshake(initiator, identity);
    }

    /** Adds the frame decoder and the Noise handler to {@code p}, before the handler named {@code before}. */
    public static void install(ChannelPipeline p, String before, boolean initiator, NoiseIdentity identity, PeerId expected, SecuredListener listener) {
        LengthFieldBasedFrameDecoder frames = new LengthFieldBasedFrameDecoder(MAX_FRAME + 2, 0, 2, 0, 2);
        // a frame (up to 65,537 bytes) nearly always spans socket reads: compose, don't merge-copy
        frames.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
        p.addBefore(before, "noise-frames", frames);
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
            // a frame that arrived across socket reads is a composite of slices of them (the frame
            // decoder cumulates by composition): opened part after part, not copied together first
            ByteBuf out = ctx.alloc().directBuffer(len - CipherState.TAG);
            try {
                ByteBuffer dst = out.nioBuffer(0, len - CipherState.TAG);
                int n = recv.decrypt(frame.nioBuffers(frame.readerIndex(), len), dst);
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

    /**
     * Outbound bytes are gathered until the next flush (or until a Noise message is full) and sealed
     * together: the Yamux frames written between two flushes travel in few Noise messages (each
     * ≤ 65535 bytes with its tag and its own 2-byte length prefix), not one (or two) per frame. A
     * write that fits one message is not split across two (it starts a new message instead), so the
     * receiver gets whole Yamux frames per message; only larger writes are cut.
     * The writes are not copied together: their buffers are kept (retained slices) and sealed in
     * one pass, part after part, into the direct frame buffer that goes to the socket (see
     * {@link ChaChaPoly#seal(long, ByteBuffer[], ByteBuffer)}); a Yamux stream's data is already in
     * direct memory, so its bytes are read once, by the cipher. Writes under {@value #COPY_BELOW}
     * bytes are copied together instead (a native call per tiny part would cost more than the copy).
     * A write's promise completes when the frame holding its last byte has been written.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.write(msg, promise);
            return;
        }
        try {
            if (send == null) throw new IllegalStateException("write before the noise handshake completed");
            int size = buf.readableBytes();
            if (pendingBytes > 0 && size <= MAX_PLAINTEXT && pendingBytes + size > MAX_PLAINTEXT) {
                seal(ctx); // a write that fits one message is never split: whole Yamux frames per message
            }
            while (buf.isReadable()) {
                int n = Math.min(buf.readableBytes(), MAX_PLAINTEXT - pendingBytes);
                if (n < COPY_BELOW) {
                    if (tail == null || tail.writableBytes() < n) {
                        tail = ctx.alloc().directBuffer(TAIL_CAPACITY, TAIL_CAPACITY);
                        pending.add(tail);
                    }
                    tail.writeBytes(buf, n);
                } else {
                    pending.add(buf.readRetainedSlice(n));
                    tail = null;
                }
                pendingBytes += n;
                if (pendingBytes == MAX_PLAINTEXT) seal(ctx);
            }
        } catch (Exception e) {
            failPending(ctx, e);
            throw e;
        } finally {
            buf.release();
        }
        if (!promise.isVoid()) waiting.add(promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) throws Exception {
        if (pendingBytes > 0) {
            try {
                seal(ctx);
            } catch (Exception e) {
                failPending(ctx, e);
                throw e;
            }
        } else if (!waiting.isEmpty()) {
            ctx.write(Unpooled.EMPTY_BUFFER, promiseFor(ctx)); // empty writes: keep their order
        }
        ctx.flush();
    }

    /** Seals the pending plaintext into one Noise message and passes it on. */
    private void seal(ChannelHandlerContext ctx) throws Exception {
        int n = pendingBytes;
        ByteBuf out = ctx.alloc().directBuffer(2 + n + CipherState.TAG);
        try {
            ByteBuffer[] parts = new ByteBuffer[pending.size()];
            int k = 0;
            for (ByteBuf b : pending) {
                if (b.nioBufferCount() == 1) {
                    parts[k++] = b.nioBuffer();
                } else { // a composite write (a Yamux header and its payload): one entry per component
                    ByteBuffer[] more = b.nioBuffers();
                    parts = Arrays.copyOf(parts, parts.length + more.length - 1);
                    for (ByteBuffer m : more) parts[k++] = m;
                }
            }
            out.writeShort(n + CipherState.TAG);
            int w = send.encrypt(parts, out.nioBuffer(2, n + CipherState.TAG));
            out.writerIndex(2 + w);
        } catch (Exception e) {
            out.release();
            throw e;
        } finally {
            releasePending();
        }
        ctx.write(out, waiting.isEmpty() ? ctx.voidPromise() : promiseFor(ctx));
    }

    private void releasePending() {
        for (ByteBuf b : pending) b.release();
        pending.clear();
        pendingBytes = 0;
        tail = null;
    }

    /** One promise for the frame that completes every waiting write's promise. */
    private ChannelPromise promiseFor(ChannelHandlerContext ctx) {
        ChannelPromise p = ctx.newPromise();
        if (waiting.size() == 1) {
            p.addListener(new PromiseNotifier<>(false, waiting.get(0)));
        } else {
            p.addListener(new PromiseNotifier<>(false, waiting.toArray(ChannelPromise[]::new)));
        }
        waiting.clear();
        return p;
    }

    private void failPending(ChannelHandlerContext ctx, Throwable cause) {
        releasePending();
        for (ChannelPromise p : waiting) p.tryFailure(cause);
        waiting.clear();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pendingBytes > 0 || !pending.isEmpty() || !waiting.isEmpty()) {
            failPending(ctx, new ClosedChannelException()); // unflushed bytes die with the channel, as in Netty
        }
        if (send != null) send.close(); // native cipher contexts go now, not at the next GC
        if (recv != null) recv.close();
    }
}
