package io.warpstats.p2p.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

/**
 * ChaCha20-Poly1305 (RFC 8439) under one 32-byte key, with the Noise nonce built from a 64-bit
 * counter per call (4 zero bytes ‖ the counter, little-endian; Noise spec §5.1 and §12.3). Every
 * implementation produces the same bytes; {@link Aead} chooses one per JVM after a self-test
 * against the JDK cipher.
 *
 * <p>Not thread-safe: one instance per direction of a connection, used on its event loop.
 * {@link #close()} releases native resources at once (a closed instance refuses to work); an
 * instance dropped without it is released when it is collected.
 */
sealed interface ChaChaPoly permits JcaChaChaPoly, OpenSslChaChaPoly {
    /** Seals {@code in[off, off+len)} with {@code ad} into {@code out} at {@code outOff}; returns len + 16. */
    int seal(long nonce, byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException;

    /** Opens and authenticates; returns len - 16; throws {@link javax.crypto.AEADBadTagException} on a forged message. */
    int open(long nonce, byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException;

    /**
     * Seals the remaining bytes of {@code in} with empty associated data into {@code out} at its
     * position; both positions advance; returns remaining + 16. Writes nothing of {@code out} outside
     * {@code [position, position + n)}. Fastest with direct buffers.
     */
    int seal(long nonce, ByteBuffer in, ByteBuffer out) throws GeneralSecurityException;

    /**
     * Seals the remaining bytes of {@code parts}, in order, as one message (empty associated data)
     * into the direct buffer {@code out} at its position: the gather form of
     * {@link #seal(long, ByteBuffer, ByteBuffer)}, so that frames written separately need not be
     * copied together first. Every part's position advances to its limit, {@code out}'s by the
     * bytes written (total + 16), which are returned.
     */
    int seal(long nonce, ByteBuffer[] parts, ByteBuffer out) throws GeneralSecurityException;

    /** Opens the remaining bytes of {@code in} (see {@link #seal(long, ByteBuffer, ByteBuffer)}). */
    int open(long nonce, ByteBuffer in, ByteBuffer out) throws GeneralSecurityException;

    /**
     * Opens one message (ciphertext ‖ tag) held in several buffers, in order, into {@code out} at
     * its position: the gather form of {@link #open(long, ByteBuffer, ByteBuffer)}, for a frame that
     * arrived across socket reads. Parts advance to their limits, {@code out} by the bytes written.
     */
    int open(long nonce, ByteBuffer[] parts, ByteBuffer out) throws GeneralSecurityException;

    /** Releases native resources now; idempotent. */
    default void close() {}

    /** The bytes remaining in all the parts. */
    static int remaining(ByteBuffer[] parts) {
        int len = 0;
        for (ByteBuffer p : parts) len += p.remaining();
        return len;
    }

    /** The parts' remaining bytes copied into one heap buffer (their positions go to their limits). */
    static ByteBuffer gather(ByteBuffer[] parts) {
        ByteBuffer all = ByteBuffer.allocate(remaining(parts));
        for (ByteBuffer p : parts) all.put(p);
        return all.flip();
    }
}
