package io.warpstats.p2p;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A bidirectional, flow-controlled byte stream of a connection, with its protocol negotiated.
 *
 * <p><b>Reading</b> is pull-based: at most one read may be pending at a time. The stream buffers
 * at most its receive window (Yamux, 256 KiB by default); the window is returned to the remote
 * only as the application reads, so a slow reader slows the sender instead of growing memory.
 * <b>Writing</b> completes a future when the bytes have been handed to the connection (within the
 * remote's window); a caller that waits for those futures gets backpressure. Bytes queued but not
 * yet sent are bounded by {@link HostOptions#maxStreamWriteBuffer()}: a write beyond that fails.
 *
 * <p>Message framing (gossipsub RPCs, sync protocol): {@link #writeMessage} / {@link #readMessage}
 * use an unsigned-varint length prefix, as {@code it-length-prefixed} in js-libp2p.
 *
 * <p>Futures complete on the connection's network thread: never block in their callbacks.
 */
public interface Stream {

    /** The negotiated protocol id, e.g. {@code /ipfs/ping/1.0.0}. */
    String protocol();

    /** The remote peer. */
    PeerId remotePeer();

    /** The connection carrying this stream. */
    Connection connection();

    /** True if this side opened the stream. */
    boolean isInitiator();

    /**
     * The next available bytes (at least one), or {@code null} when the remote has closed its side
     * and everything was read. Fails with {@link StreamResetException} if the stream was reset.
     */
    CompletableFuture<byte @Nullable []> read();

    /** Exactly {@code n} bytes; fails with {@link java.io.EOFException} if the stream ends first. */
    CompletableFuture<byte[]> readExactly(int n);

    /**
     * One varint-length-prefixed message; {@code null} at a clean end of stream (before a prefix).
     * Fails with {@link ProtocolViolationException} if the prefix announces more than
     * {@code maxLength} bytes (then the stream is reset) and with {@link java.io.EOFException} if
     * the stream ends inside a message.
     */
    CompletableFuture<byte @Nullable []> readMessage(int maxLength);

    /**
     * Reads messages ({@link #readMessage}) and hands each to {@code consumer} until the stream ends;
     * the future completes normally at a clean end and exceptionally on any error. The next message
     * is read only after {@code consumer} returns (backpressure).
     */
    CompletableFuture<Void> forEachMessage(int maxLength, Consumer<byte[]> consumer);

    /** Writes {@code data} (copied). */
    CompletableFuture<Void> write(byte[] data);

    /** Writes {@code varint(message.length) ‖ message}. */
    CompletableFuture<Void> writeMessage(byte[] message);

    /** Half-closes: no more writes from this side (Yamux FIN); reading continues. Idempotent. */
    CompletableFuture<Void> closeWrite();

    /** Closes both directions gracefully: FIN, and unread or later input is discarded. */
    CompletableFuture<Void> close();

    /** Aborts the stream (Yamux RST); pending reads and writes fail. */
    void reset();

    /** Completes when the stream is fully closed or reset. */
    CompletableFuture<Void> closeFuture();
}
