package io.warpstats.p2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.warpstats.p2p.Connection;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.ProtocolViolationException;
import io.warpstats.p2p.StreamResetException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Yamux session over a secured channel. Decodes frames (bounded: a data frame must fit the
 * window granted to its stream), dispatches them to streams, answers pings, honours GoAway and
 * enforces the stream limit (an inbound SYN beyond it is answered with RST).
 */
public final class YamuxSession extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(YamuxSession.class);
    static final int PROTOCOL_ERROR = 1;

    /** Session events, on the event loop. */
    public interface Listener {
        void inboundStream(YamuxStream stream);

        void streamCountChanged(int count);
    }

    final HostOptions options;
    final ReceiveBudget budget;
    private final boolean initiator;
    private final Listener listener;
    private final Map<Integer, YamuxStream> streams = new HashMap<>();
    private ChannelHandlerContext ctx;
    private volatile Connection connection;
    private volatile int streamCount;
    private int nextId;
    private boolean remoteGoAway;
    private boolean closed;
    private long refusedStreams;

    public YamuxSession(boolean initiator, HostOptions options, ReceiveBudget budget, Listener listener) {
        this.initiator = initiator;
        this.budget = budget;
        this.options = options;
        this.listener = listener;
        this.nextId = initiator ? 1 : 2;
    }

    /** Binds the host-level connection (for {@code Stream.connection()}). */
    public void attach(Connection c) { this.connection = c; }

    Connection connection() { return connection; }

    public EventLoop eventLoop() { return ctx.channel().eventLoop(); }

    public int streamCount() { return streamCount; }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Opens an outbound stream (SYN sent); fails if the session is closing or at its stream limit. */
    public CompletableFuture<YamuxStream> openStream() {
        CompletableFuture<YamuxStream> f = new CompletableFuture<>();
        onLoop(() -> {
            if (closed || remoteGoAway) {
                f.completeExceptionally(new java.io.IOException("connection is closing"));
            } else if (streams.size() >= options.maxStreamsPerConnection()) {
                f.completeExceptionally(new java.io.IOException("stream limit reached (" + options.maxStreamsPerConnection() + ")"));
            } else if (nextId < 0) {
                f.completeExceptionally(new java.io.IOException("stream ids exhausted"));
            } else {
                YamuxStream s = new YamuxStream(this, nextId, true);
                nextId += 2;
                add(s);
                writeFrame(YamuxHeader.WINDOW_UPDATE, YamuxHeader.SYN, s.id(), options.streamReceiveWindow() - 256 * 1024L);
                flush();
                f.complete(s);
            }
        });
        return f;
    }

    void onLoop(Runnable r) {
        EventLoop loop = ctx.channel().eventLoop();
        if (loop.inEventLoop()) r.run();
        else loop.execute(r);
    }

    private void add(YamuxStream s) {
        streams.put(s.id(), s);
        streamCount = streams.size();
        listener.streamCountChanged(streamCount);
    }

    void remove(YamuxStream s) {
        if (streams.remove(s.id(), s)) {
            streamCount = streams.size();
            listener.streamCountChanged(streamCount);
            if (remoteGoAway && streams.isEmpty()) ctx.close();
        }
    }

    boolean writable() { return ctx.channel().isWritable(); }

    /** Writes one frame without payload (window update, ping, GoAway). */
    void writeFrame(int type, int flags, int id, long length) {
        writeFrame(type, flags, id, length, null);
    }

    /**
     * Writes one frame (not flushed) whose payload is {@code data} (ownership passes here; null for
     * none). The payload is passed on, not copied: the Noise layer seals it where it lies.
     */
    void writeFrame(int type, int flags, int id, long length, @Nullable ByteBuf data) {
        ByteBuf b = ctx.alloc().buffer(YamuxHeader.SIZE);
        new YamuxHeader(type, flags, id, length).encode(b);
        // one write per frame: the Noise layer keeps a write that fits one message in one message
        ctx.write(data != null ? Unpooled.wrappedBuffer(b, data) : b, ctx.voidPromise());
    }

    /** A direct buffer from the connection's allocator (stream writes are copied into one). */
    ByteBuf directBuffer(int size) {
        return ctx.alloc().directBuffer(size);
    }

    /**
     * Flushes what streams wrote once per event-loop task, not once per write: inside a read
     * ({@code channelRead}) the flush of {@code channelReadComplete} covers it; otherwise one flush
     * task is queued behind the current task. Frames written by many streams or callbacks in one task
     * leave together: fuller Noise messages, fewer {@code writev}s. Window updates use
     * {@link #flushNow()}: a sender waiting for credit must not wait for the end of a read batch.
     */
    void flush() {
        if (reading || flushQueued) return;
        flushQueued = true;
        ctx.channel().eventLoop().execute(flushTask);
    }

    /** Flushes at once (window updates). */
    void flushNow() { ctx.flush(); }

    private boolean reading;
    private boolean flushQueued;
    private final Runnable flushTask = () -> {
        flushQueued = false;
        ctx.flush();
    };

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        reading = true;
        try {
            super.channelRead(ctx, msg);
        } finally {
            reading = false;
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        while (in.readableBytes() >= YamuxHeader.SIZE && !closed) {
            int start = in.readerIndex();
            YamuxHeader h = YamuxHeader.decode(in);
            if (h.type() == YamuxHeader.DATA) {
                YamuxStream s = streams.get(h.streamId());
                long limit = s != null ? s.recvCredit() : options.streamReceiveWindow();
                if (h.length() > limit) {
                    throw new ProtocolViolationException("data frame of " + h.length() + " bytes exceeds window " + limit
                            + " on stream " + h.streamId());
                }
                if (in.readableBytes() < h.length()) {
                    in.readerIndex(start);
                    return;
                }
            }
            handle(h, in);
        }
    }

    private void handle(YamuxHeader h, ByteBuf in) throws ProtocolViolationException {
        switch (h.type()) {
            case YamuxHeader.PING -> {
                if (h.has(YamuxHeader.SYN)) writeFrame(YamuxHeader.PING, YamuxHeader.ACK, 0, h.length());
            }
            case YamuxHeader.GO_AWAY -> {
                log.debug("{}: remote sent GoAway (code {})", ctx.channel(), h.length());
                remoteGoAway = true;
                if (streams.isEmpty()) ctx.close();
            }
            default -> {
                int len = h.type() == YamuxHeader.DATA ? (int) h.length() : 0;
                YamuxStream s = streams.get(h.streamId());
                if (h.has(YamuxHeader.SYN)) {
                    if (s != null) throw new ProtocolViolationException("SYN for open stream " + h.streamId());
                    boolean remoteParity = (h.streamId() & 1) == (initiator ? 0 : 1);
                    if (h.streamId() == 0 || !remoteParity) throw new ProtocolViolationException("bad inbound stream id " + h.streamId());
                    if (streams.size() >= options.maxStreamsPerConnection()) {
                        if (refusedStreams++ == 0) {
                            log.info("{}: refusing streams: limit {} reached", ctx.channel(), options.maxStreamsPerConnection());
                        }
                        writeFrame(YamuxHeader.WINDOW_UPDATE, YamuxHeader.RST, h.streamId(), 0);
                        in.skipBytes(len);
                        return;
                    }
                    s = new YamuxStream(this, h.streamId(), false);
                    add(s);
                    writeFrame(YamuxHeader.WINDOW_UPDATE, YamuxHeader.ACK, s.id(), options.streamReceiveWindow() - 256 * 1024L);
                    s.onFrame(h, in, len);
                    listener.inboundStream(s);
                    return;
                }
                if (s == null) {
                    in.skipBytes(len); // late frame of a stream that is already gone
                    return;
                }
                s.onFrame(h, in, len);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        ctx.flush();
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            for (YamuxStream s : new ArrayList<>(streams.values())) s.pump();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        if (!streams.isEmpty()) {
            StreamResetException e = new StreamResetException("connection closed"); // one for all: stack traces cost
            for (YamuxStream s : new ArrayList<>(streams.values())) s.onConnectionClosed(e);
        }
        streams.clear();
        streamCount = 0;
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!closed) {
            closed = true;
            Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            String reason = c.getMessage() == null ? c.toString() : c.getMessage();
            if (c instanceof ProtocolViolationException) log.warn("{}: closing connection: {}", ctx.channel(), reason);
            else log.debug("{}: closing connection: {}", ctx.channel(), reason); // the peer went away
            writeFrame(YamuxHeader.GO_AWAY, 0, 0, PROTOCOL_ERROR);
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ctx.close());
        }
    }

    /** Sends GoAway (normal termination) and closes the channel. */
    public void goAwayAndClose() {
        onLoop(() -> {
            if (!closed && ctx.channel().isActive()) {
                closed = true;
                writeFrame(YamuxHeader.GO_AWAY, 0, 0, 0);
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ctx.close());
            } else {
                ctx.close();
            }
        });
    }
}
