package io.warpstats.p2p.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** ChaCha20-Poly1305 from a JCA provider: Conscrypt (BoringSSL through JNI) or the JDK's own. */
final class JcaChaChaPoly implements ChaChaPoly {
    private final SecretKeySpec key;
    private final Cipher cipher;
    private final boolean pinsArrays;
    private final byte[] iv = new byte[12];
    /** The private output array of a provider that pins arrays (see {@link #doFinal}). */
    private byte[] scratch = new byte[0];

    /**
     * @param pinsArrays whether the provider's JNI pins the output {@code byte[]} (Conscrypt): its
     *     output then goes to a private array first (see {@link #doFinal})
     */
    JcaChaChaPoly(byte[] key, Cipher cipher, boolean pinsArrays) {
        this.key = new SecretKeySpec(key, "ChaCha20");
        this.cipher = cipher;
        this.pinsArrays = pinsArrays;
    }

    private void init(int mode, long nonce, byte[] ad) throws GeneralSecurityException {
        for (int i = 0; i < 8; i++) iv[4 + i] = (byte) (nonce >>> (8 * i));
        cipher.init(mode, key, new IvParameterSpec(iv));
        if (ad.length > 0) cipher.updateAAD(ad);
    }

    @Override
    public int seal(long nonce, byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
        init(Cipher.ENCRYPT_MODE, nonce, ad);
        return doFinal(in, off, len, out, outOff);
    }

    @Override
    public int open(long nonce, byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
        init(Cipher.DECRYPT_MODE, nonce, ad);
        return doFinal(in, off, len, out, outOff);
    }

    /**
     * A native provider never writes into the caller's array: Netty's pooled heap buffers are
     * regions of chunk arrays shared by every event loop, and Conscrypt's JNI pins the output array
     * with {@code GetByteArrayElements}, which may copy the WHOLE array and copy it all back on
     * release, overwriting what other threads wrote into their regions meanwhile (seen in P2pBench as
     * BAD_DECRYPT and corrupt Yamux headers on other connections). So it seals or opens into a
     * private array, and the result is copied over; the input is only read.
     */
    private int doFinal(byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
        if (!pinsArrays) return cipher.doFinal(in, off, len, out, outOff);
        if (scratch.length < len + CipherState.TAG) scratch = new byte[Math.max(len + CipherState.TAG, 1024)];
        int n = cipher.doFinal(in, off, len, scratch, 0);
        System.arraycopy(scratch, 0, out, outOff, n);
        return n;
    }

    /** Conscrypt reads and writes direct buffers in place through their addresses ({@code EVP_AEAD_CTX_seal_buf}). */
    @Override
    public int seal(long nonce, ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
        init(Cipher.ENCRYPT_MODE, nonce, CipherState.EMPTY);
        return cipher.doFinal(in, out);
    }

    /**
     * Copies the parts into {@code out} and seals them in place (input and output then alias
     * exactly, which both providers support: the JDK through {@code duplicate()}, BoringSSL's
     * {@code EVP_AEAD_CTX_seal} explicitly). A single part is sealed where it lies.
     */
    @Override
    public int seal(long nonce, ByteBuffer[] parts, ByteBuffer out) throws GeneralSecurityException {
        if (parts.length == 1) return seal(nonce, parts[0], out);
        int len = ChaChaPoly.remaining(parts);
        if (out.remaining() < len + CipherState.TAG) {
            throw new ShortBufferException("output needs " + (len + CipherState.TAG) + " bytes");
        }
        int start = out.position();
        ByteBuffer gather = out.duplicate();
        for (ByteBuffer p : parts) gather.put(p);
        return seal(nonce, out.duplicate().position(start).limit(start + len), out);
    }

    /** A single part is opened where it lies; several are gathered into one heap buffer first (the providers open one contiguous input). */
    @Override
    public int open(long nonce, ByteBuffer[] parts, ByteBuffer out) throws GeneralSecurityException {
        return open(nonce, parts.length == 1 ? parts[0] : ChaChaPoly.gather(parts), out);
    }

    @Override
    public int open(long nonce, ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
        init(Cipher.DECRYPT_MODE, nonce, CipherState.EMPTY);
        return cipher.doFinal(in, out);
    }
}
