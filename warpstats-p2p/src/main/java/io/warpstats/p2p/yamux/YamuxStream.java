package io.warpstats.p2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.warpstats.multiformats.Varint;
import io.warpstats.p2p.Connection;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.ProtocolViolationException;
import io.warpstats.p2p.Stream;
import io.warpstats.p2p.StreamResetException;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One Yamux stream. Flow control: the remote may send {@code recvCredit} more bytes; credit is
 * returned (window update) as the application reads — or, while a read waits for more bytes than
 * are buffered, for the bytes it has claimed — so memory stays within the window plus one message.
 * Writes wait for the remote's window and for the socket to be writable.
 */
public final class YamuxStream implements Stream {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(YamuxStream.class);
    private enum Kind { ANY, EXACT, MESSAGE, MESSAGES }

    private static final class ReadRequest {
        final Kind kind;
        final int n;
        /** The reader of one read (null for MESSAGES); the consumer and completion of MESSAGES (null otherwise). */
        final @Nullable CompletableFuture<byte @Nullable []> future;
        final @Nullable Consumer<byte[]> consumer;
        final @Nullable CompletableFuture<Void> done;

        ReadRequest(Kind kind, int n, @Nullable CompletableFuture<byte @Nullable []> future, @Nullable Consumer<byte[]> consumer,
                    @Nullable CompletableFuture<Void> done) {
            this.kind = kind;
            this.n = n;
            this.future = future;
            this.consumer = consumer;
            this.done = done;
        }
    }

    /** A write not yet fully framed: its bytes in pooled direct memory, released once all are sent or the stream fails. */
    private static final class PendingWrite {
        final ByteBuf data;
        final CompletableFuture<Void> future;

        PendingWrite(ByteBuf data, CompletableFuture<Void> future) {
            this.data = data;
            this.future = future;
        }
    }

    private final YamuxSession session;
    private final int id;
    private final boolean initiator;
    private final int window;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private volatile String protocol;
    // loop-confined state
    private long sendWindow = 256 * 1024L;
    private long recvCredit = 256 * 1024L;
    /** Received, unread bytes: slices of the decrypted Noise messages and small copies (see {@link #buffer}). */
    private @Nullable CompositeByteBuf in;
    private long preCredited;
    private long unacked;
    private @Nullable ReadRequest request;
    private final ArrayDeque<PendingWrite> writes = new ArrayDeque<>();
    private long pendingBytes;
    private boolean remoteFin;
    private boolean finRequested;
    private boolean localFin;
    private boolean discardInput;
    private IOException failure;

    YamuxStream(YamuxSession session, int id, boolean initiator) {
        this.session = session;
        this.id = id;
        this.initiator = initiator;
        this.window = session.options.streamReceiveWindow();
        this.recvCredit = window;
    }

    public int id() { return id; }

    /** Records the negotiated protocol (set once by the host after multistream-select). */
    public void negotiated(String protocol) { this.protocol = protocol; }

    @Override public String protocol() { return protocol; }
    @Override public Connection connection() { return session.connection(); }
    @Override public PeerId remotePeer() { Connection c = session.connection(); return c == null ? null : c.remotePeer(); }
    @Override public boolean isInitiator() { return initiator; }
    @Override public CompletableFuture<Void> closeFuture() { return closeFuture; }

    long recvCredit() { return recvCredit; }

    // ------------------------------------------------------------------ inbound frames (event loop)

    void onFrame(YamuxHeader h, ByteBuf data, int len) throws ProtocolViolationException {
        if (h.type() == YamuxHeader.WINDOW_UPDATE) {
            sendWindow += h.length();
            if (sendWindow > 0xFFFF_FFFFL) throw new ProtocolViolationException("send window overflow on stream " + id);
        } else if (len > 0) {
            recvCredit -= len;
            if (failure != null || discardInput) {
                data.skipBytes(len);
                credit(len);
            } else if (!session.budget.tryReserve(len)) {
                data.skipBytes(len);
                log.warn("resetting {}: the host's receive buffer ({} bytes) is full", this, session.options.maxReceiveBuffer());
                resetNow();
                return;
            } else {
                buffer(data, len);
            }
        }
        if (h.has(YamuxHeader.RST)) {
            fail(new StreamResetException("stream " + id + " reset by remote"), false);
            return;
        }
        if (h.has(YamuxHeader.FIN)) {
            remoteFin = true;
            maybeFinished();
        }
        drain();
        if (h.type() == YamuxHeader.WINDOW_UPDATE) pump();
    }

    void onConnectionClosed(StreamResetException e) {
        fail(e, false);
    }

    // ------------------------------------------------------------------ reading

    @Override
    public CompletableFuture<byte @Nullable []> read() { return request(Kind.ANY, 0); }

    @Override
    public CompletableFuture<byte[]> readExactly(int n) {
        if (n < 0) throw new IllegalArgumentException("negative length");
        return request(Kind.EXACT, n);
    }

    @Override
    public CompletableFuture<byte @Nullable []> readMessage(int maxLength) { return request(Kind.MESSAGE, maxLength); }

    @Override
    public CompletableFuture<Void> forEachMessage(int maxLength, Consumer<byte[]> consumer) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.onLoop(() -> {
            if (request != null) { done.completeExceptionally(new IllegalStateException("a read is already pending")); return; }
            request = new ReadRequest(Kind.MESSAGES, maxLength, null, consumer, done);
            drain();
        });
        return done;
    }

    private CompletableFuture<byte @Nullable []> request(Kind kind, int n) {
        CompletableFuture<byte @Nullable []> f = new CompletableFuture<>();
        session.onLoop(() -> {
            if (request != null) { f.completeExceptionally(new IllegalStateException("a read is already pending")); return; }
            request = new ReadRequest(kind, n, f, null, null);
            drain();
        });
        return f;
    }

    /**
     * Keeps {@code len} bytes of {@code data} until the application reads them. A frame that fills
     * at least half of the buffer it arrived in (the decrypted Noise message; a bulk transfer's
     * frames fill theirs) is kept as a slice of it, not copied; a smaller one is copied, so that a
     * few buffered bytes never pin a whole message: the memory held stays within twice the bytes
     * the host's receive budget counts. Past {@value #MAX_PARTS} parts the buffer consolidates
     * (one copy), so a stream of tiny frames costs no per-frame objects.
     */
    private void buffer(ByteBuf data, int len) {
        if (in == null) in = Unpooled.compositeBuffer(MAX_PARTS);
        if (len >= data.capacity() / 2) {
            in.addComponent(true, data.readRetainedSlice(len));
        } else {
            ByteBuf copy = Unpooled.buffer(len);
            copy.writeBytes(data, len);
            in.addComponent(true, copy);
        }
    }

    private static final int MAX_PARTS = 16;

    private int buffered() { return in == null ? 0 : in.readableBytes(); }

    private byte[] take(int n) {
        byte[] b = new byte[n];
        in.readBytes(b);
        session.budget.release(n);
        consumed(n);
        in.discardReadComponents(); // read slices go back to the pool now
        return b;
    }

    /** Drops the unread bytes and their buffers (the caller settles the budget). */
    private void releaseInput() {
        if (in != null) {
            in.release();
            in = null;
        }
    }

    private void consumed(int k) {
        long pre = Math.min(k, preCredited);
        preCredited -= pre;
        credit(k - pre);
    }

    private void credit(long k) {
        unacked += k;
        if (unacked >= window / 2) sendWindowUpdate();
    }

    /** Returns the unacknowledged credit to the remote (never after its FIN: it sends no more). */
    private void sendWindowUpdate() {
        if (unacked <= 0 || failure != null || remoteFin) return;
        session.writeFrame(YamuxHeader.WINDOW_UPDATE, 0, id, unacked);
        recvCredit += unacked;
        unacked = 0;
        session.flushNow();
    }

    /** Serves the pending read from the buffer; runs on the loop, re-entrant through callbacks. */
    private void drain() {
        while (request != null) {
            ReadRequest r = request;
            if (failure != null) {
                request = null;
                if (r.kind == Kind.MESSAGES) r.done.completeExceptionally(failure);
                else r.future.completeExceptionally(failure);
                return;
            }
            int avail = buffered();
            byte[] result = null;
            boolean eof = false;
            IOException error = null;
            switch (r.kind) {
                case ANY -> {
                    if (avail > 0) result = take(avail);
                    else if (remoteFin || discardInput) eof = true;
                }
                case EXACT -> {
                    if (avail >= r.n) result = take(r.n);
                    else if (remoteFin || discardInput) error = new EOFException("stream ended after " + avail + " of " + r.n + " bytes");
                }
                default -> {
                    long len = -1;
                    int hdr = 0;
                    for (int i = 0; i < Math.min(avail, Varint.MAX_BYTES); i++) {
                        if ((in.getByte(in.readerIndex() + i) & 0x80) == 0) { hdr = i + 1; break; }
                    }
                    if (hdr == 0 && avail >= Varint.MAX_BYTES) {
                        error = new ProtocolViolationException("message length prefix too long");
                    } else if (hdr > 0) {
                        len = 0;
                        for (int i = 0; i < hdr; i++) len |= (long) (in.getByte(in.readerIndex() + i) & 0x7F) << (7 * i);
                        if (len > r.n) error = new ProtocolViolationException("message of " + len + " bytes exceeds " + r.n);
                        else if (avail >= hdr + len) {
                            in.skipBytes(hdr);
                            session.budget.release(hdr);
                            consumed(hdr);
                            result = take((int) len);
                        }
                    }
                    if (result == null && error == null && (remoteFin || discardInput)) {
                        if (avail == 0 || discardInput) eof = true;
                        else error = new EOFException("stream ended inside a message");
                    }
                }
            }
            if (error != null) {
                request = null;
                if (r.kind == Kind.MESSAGES) r.done.completeExceptionally(error);
                else r.future.completeExceptionally(error);
                if (error instanceof ProtocolViolationException) reset();
                return;
            }
            if (result == null && !eof) {
                // the read waits for more bytes: return the window for what it has claimed
                long claim = buffered() - preCredited;
                if (claim > 0) {
                    preCredited += claim;
                    unacked += claim;
                }
                sendWindowUpdate();
                return;
            }
            if (r.kind == Kind.MESSAGES) {
                if (eof) {
                    request = null;
                    r.done.complete(null);
                    return;
                }
                maybeFinished();
                try {
                    r.consumer.accept(result);
                } catch (RuntimeException e) {
                    request = null;
                    r.done.completeExceptionally(e);
                    return;
                }
                continue;
            }
            request = null;
            maybeFinished();
            r.future.complete(eof ? null : result);
            return;
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Copies {@code data} once: a write of at least {@value #DIRECT_FROM} bytes into pooled direct
     * memory, from which the Noise layer seals it without another copy; a smaller one into a heap
     * array (cheaper to allocate from any thread; Noise copies small writes together anyway).
     */
    @Override
    public CompletableFuture<Void> write(byte[] data) {
        if (data.length < DIRECT_FROM) return submit(Unpooled.wrappedBuffer(data.clone()));
        ByteBuf copy = session.directBuffer(data.length);
        copy.writeBytes(data);
        return submit(copy);
    }

    @Override
    public CompletableFuture<Void> writeMessage(byte[] message) {
        int size = Varint.size(message.length) + message.length;
        ByteBuf framed = size < DIRECT_FROM ? Unpooled.buffer(size, size) : session.directBuffer(size);
        byte[] prefix = new byte[Varint.MAX_BYTES];
        framed.writeBytes(prefix, 0, Varint.write(message.length, prefix, 0)).writeBytes(message);
        return submit(framed);
    }

    /** Writes from this size on go to direct memory (see {@link #write}). */
    private static final int DIRECT_FROM = 1024;

    private CompletableFuture<Void> submit(ByteBuf data) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            session.onLoop(() -> enqueue(data, f));
        } catch (RejectedExecutionException e) { // the connection's event loop has shut down
            data.release();
            f.completeExceptionally(new IOException("stream " + id + ": connection closed", e));
        }
        return f;
    }

    private void enqueue(ByteBuf data, CompletableFuture<Void> f) {
        int size = data.readableBytes();
        IOException refused = null;
        if (failure != null) refused = failure;
        else if (finRequested) refused = new IOException("stream " + id + " is closed for writing");
        else if (pendingBytes > 0 && pendingBytes + size > session.options.maxStreamWriteBuffer()) {
            refused = new IOException("stream " + id + " write buffer full (" + pendingBytes + " bytes unsent)");
        }
        if (refused != null || size == 0) {
            data.release();
            if (refused != null) f.completeExceptionally(refused);
            else f.complete(null);
            return;
        }
        writes.add(new PendingWrite(data, f));
        pendingBytes += size;
        pump();
    }

    /** Sends queued bytes as far as the remote's window and the socket allow. */
    void pump() {
        boolean wrote = false;
        int maxFrame = session.options.maxFrameSize();
        while (!writes.isEmpty() && sendWindow > 0 && session.writable() && failure == null) {
            PendingWrite w = writes.peek();
            int n = (int) Math.min(Math.min(w.data.readableBytes(), sendWindow), maxFrame);
            session.writeFrame(YamuxHeader.DATA, 0, id, n, w.data.readRetainedSlice(n));
            wrote = true;
            sendWindow -= n;
            pendingBytes -= n;
            if (!w.data.isReadable()) {
                writes.poll();
                w.data.release();
                w.future.complete(null);
            }
        }
        if (writes.isEmpty() && finRequested && !localFin && failure == null) {
            localFin = true;
            session.writeFrame(YamuxHeader.WINDOW_UPDATE, YamuxHeader.FIN, id, 0);
            wrote = true;
            maybeFinished();
        }
        if (wrote) session.flush();
    }

    @Override
    public CompletableFuture<Void> closeWrite() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        session.onLoop(() -> {
            if (failure == null && !finRequested) {
                finRequested = true;
                pump();
            }
            f.complete(null);
        });
        return f;
    }

    @Override
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> f = closeWrite();
        session.onLoop(() -> {
            if (failure != null || discardInput) return;
            discardInput = true;
            int b = buffered();
            if (b > 0) {
                releaseInput();
                session.budget.release(b);
                consumed(b);
            }
            maybeFinished();
            drain();
            // a remote that never finishes its side must not hold the stream forever
            session.eventLoop().schedule(() -> {
                if (!closeFuture.isDone()) reset();
            }, session.options.streamNegotiationTimeout().toMillis(), TimeUnit.MILLISECONDS);
        });
        return f;
    }

    @Override
    public void reset() {
        session.onLoop(this::resetNow);
    }

    private void resetNow() {
        if (failure != null) return;
        session.writeFrame(YamuxHeader.WINDOW_UPDATE, YamuxHeader.RST, id, 0);
        session.flush();
        fail(new StreamResetException("stream " + id + " reset locally"), true);
    }

    private void fail(IOException e, boolean local) {
        if (failure != null || closeFuture.isDone()) return; // already ended
        failure = e;
        session.budget.release(buffered());
        releaseInput();
        for (PendingWrite w : writes) {
            w.data.release();
            w.future.completeExceptionally(e);
        }
        writes.clear();
        pendingBytes = 0;
        session.remove(this);
        drain();
        closeFuture.complete(null);
    }

    /** Both sides sent FIN and everything received was read (or discarded): the stream is done. */
    private void maybeFinished() {
        if (localFin && remoteFin && failure == null && buffered() == 0 && !closeFuture.isDone()) {
            session.remove(this);
            closeFuture.complete(null);
        }
    }

    @Override
    public String toString() { return "stream " + id + (protocol == null ? "" : " " + protocol); }
}
