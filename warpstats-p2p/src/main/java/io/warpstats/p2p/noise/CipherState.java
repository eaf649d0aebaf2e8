package io.warpstats.p2p.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

/**
 * A Noise CipherState (Noise spec §5.1): a key and a 64-bit counter nonce that never repeats (the
 * state refuses to wrap), over {@link Aead}'s ChaCha20-Poly1305. Not thread-safe: one per
 * direction, used on one event loop. {@link #close()} releases a native cipher at once.
 */
final class CipherState implements AutoCloseable {
    static final int TAG = 16;
    static final byte[] EMPTY = new byte[0];
    private final ChaChaPoly aead;
    private long n;

    CipherState(byte[] k) {
        this(Aead.newChaChaPoly(k));
    }

    /** With a given cipher (tests compare implementations). */
    CipherState(ChaChaPoly aead) {
        this.aead = aead;
    }

    private long nextNonce() throws GeneralSecurityException {
        if (n == -1L) throw new GeneralSecurityException("nonce exhausted");
        return n++;
    }

    /** Encrypts {@code len} bytes of {@code in} into {@code out} at {@code outOff}; returns bytes written (len + 16). */
    int encrypt(byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
        return aead.seal(nextNonce(), ad, in, off, len, out, outOff);
    }

    /** Decrypts and authenticates; throws {@link javax.crypto.AEADBadTagException} on a forged frame. */
    int decrypt(byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
        if (len < TAG) throw new GeneralSecurityException("ciphertext shorter than its tag");
        return aead.open(nextNonce(), ad, in, off, len, out, outOff);
    }

    /**
     * Seals the remaining bytes of {@code in} (empty associated data, as in Noise transport
     * messages) into {@code out} at its position; both positions advance. Returns the bytes written
     * (remaining + 16). Meant for <b>direct</b> buffers (Netty's pooled direct memory), which the
     * native ciphers read and write in place; only {@code [position, position + n)} of {@code out}
     * is written, so a region of a shared pooled chunk is safe.
     */
    int encrypt(ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
        return aead.seal(nextNonce(), in, out);
    }

    /** Seals the remaining bytes of {@code parts} as one message (see {@link ChaChaPoly#seal(long, ByteBuffer[], ByteBuffer)}). */
    int encrypt(ByteBuffer[] parts, ByteBuffer out) throws GeneralSecurityException {
        return aead.seal(nextNonce(), parts, out);
    }

    /** Opens the remaining bytes of {@code in} into {@code out} (see {@link #encrypt(ByteBuffer, ByteBuffer)}); throws on a forged frame. */
    int decrypt(ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
        if (in.remaining() < TAG) throw new GeneralSecurityException("ciphertext shorter than its tag");
        return aead.open(nextNonce(), in, out);
    }

    /** Opens one message held in several buffers (see {@link ChaChaPoly#open(long, ByteBuffer[], ByteBuffer)}). */
    int decrypt(ByteBuffer[] parts, ByteBuffer out) throws GeneralSecurityException {
        return aead.open(nextNonce(), parts, out);
    }

    byte[] encrypt(byte[] ad, byte[] pt) throws GeneralSecurityException {
        byte[] out = new byte[pt.length + TAG];
        encrypt(ad, pt, 0, pt.length, out, 0);
        return out;
    }

    byte[] decrypt(byte[] ad, byte[] ct) throws GeneralSecurityException {
        if (ct.length < TAG) throw new GeneralSecurityException("ciphertext shorter than its tag");
        byte[] out = new byte[ct.length - TAG];
        decrypt(ad, ct, 0, ct.length, out, 0);
        return out;
    }

    @Override
    public void close() {
        aead.close();
    }
}
