package io.warpstats.p2p.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise CipherState: ChaCha20-Poly1305 with a 64-bit counter nonce (4 zero bytes ‖ little-endian
 * counter), from {@link Aead}'s provider. Not thread-safe (one per direction, used on one event loop).
 */
final class CipherState {
    static final int TAG = 16;
    private final SecretKeySpec key;
    private final Cipher cipher;
    private final byte[] nonce = new byte[12];
    private long n;
    /** The native cipher's private output array (see {@link #sealOrOpen}). */
    private byte[] scratch = new byte[0];

    CipherState(byte[] k) {
        this(k, newCipher());
    }

    /** With a given ChaCha20-Poly1305 cipher (tests compare providers). */
    CipherState(byte[] k, Cipher cipher) {
        this.key = new SecretKeySpec(k, "ChaCha20");
        this.cipher = cipher;
    }

    private static Cipher newCipher() {
        try {
            return Aead.newCipher();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 unavailable", e);
        }
    }

    private void init(int mode, byte[] ad) throws GeneralSecurityException {
        if (n == -1L) throw new GeneralSecurityException("nonce exhausted");
        for (int i = 0; i < 8; i++) nonce[4 + i] = (byte) (n >>> (8 * i));
        n++;
        cipher.init(mode, key, new IvParameterSpec(nonce));
        if (ad.length > 0) cipher.updateAAD(ad);
    }

    /** Encrypts {@code len} bytes of {@code in} into {@code out} at {@code outOff}; returns bytes written (len + 16). */
    int encrypt(byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
        init(Cipher.ENCRYPT_MODE, ad);
        return sealOrOpen(in, off, len, out, outOff);
    }

    /** Decrypts and authenticates; throws {@link javax.crypto.AEADBadTagException} on a forged frame. */
    int decrypt(byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
        if (len < TAG) throw new GeneralSecurityException("ciphertext shorter than its tag");
        init(Cipher.DECRYPT_MODE, ad);
        return sealOrOpen(in, off, len, out, outOff);
    }

    /**
     * Runs the initialized cipher. The native cipher never writes into the caller's array: Netty's
     * pooled heap buffers are regions of chunk arrays shared by every event loop, and Conscrypt's JNI
     * pins the output array with {@code GetByteArrayElements}, which may copy the WHOLE array and copy
     * it all back on release, overwriting what other threads wrote into their regions meanwhile
     * (seen in P2pBench as BAD_DECRYPT and corrupt Yamux headers on other connections). So it seals or
     * opens into this state's private array, and the result is copied over; the input is only read
     * (released without copy-back).
     */
    private int sealOrOpen(byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
        if (!Aead.isNative()) return cipher.doFinal(in, off, len, out, outOff);
        if (scratch.length < len + TAG) scratch = new byte[Math.max(len + TAG, 1024)];
        int n = cipher.doFinal(in, off, len, scratch, 0);
        System.arraycopy(scratch, 0, out, outOff, n);
        return n;
    }

    /**
     * Seals the remaining bytes of {@code in} (empty associated data, as in Noise transport
     * messages) into {@code out} at its position; both positions advance. Returns the bytes written
     * (remaining + 16).
     *
     * <p>Meant for <b>direct</b> buffers (Netty's pooled direct memory): Conscrypt then reads and
     * writes them in place through their addresses ({@code EVP_AEAD_CTX_seal_buf}) — no copy into
     * its own array, no pinning of a Java array, and it writes only {@code [position, position + n)}
     * of {@code out}, so a region of a shared pooled chunk is safe here, unlike a {@code byte[]}
     * output (see {@link #sealOrOpen}). Heap buffers work too, but Conscrypt copies them into
     * temporary direct buffers.
     */
    int encrypt(ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
        init(Cipher.ENCRYPT_MODE, EMPTY);
        return cipher.doFinal(in, out);
    }

    /** Opens the remaining bytes of {@code in} into {@code out} (see {@link #encrypt(ByteBuffer, ByteBuffer)}); throws on a forged frame. */
    int decrypt(ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
        if (in.remaining() < TAG) throw new GeneralSecurityException("ciphertext shorter than its tag");
        init(Cipher.DECRYPT_MODE, EMPTY);
        return cipher.doFinal(in, out);
    }

    private static final byte[] EMPTY = new byte[0];

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
}
