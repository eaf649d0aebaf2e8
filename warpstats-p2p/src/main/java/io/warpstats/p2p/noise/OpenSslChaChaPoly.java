package io.warpstats.p2p.noise;

import static io.warpstats.p2p.noise.LibCrypto.address;
import static io.warpstats.p2p.noise.LibCrypto.EVP_CIPHER_CTX_ctrl;
import static io.warpstats.p2p.noise.LibCrypto.EVP_CTRL_AEAD_GET_TAG;
import static io.warpstats.p2p.noise.LibCrypto.EVP_CTRL_AEAD_SET_TAG;
import static io.warpstats.p2p.noise.LibCrypto.EVP_CipherFinal_ex;
import static io.warpstats.p2p.noise.LibCrypto.EVP_CipherInit_ex;
import static io.warpstats.p2p.noise.LibCrypto.EVP_CipherUpdate;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.ShortBufferException;

/**
 * ChaCha20-Poly1305 from the system's OpenSSL {@code libcrypto} ({@code EVP_chacha20_poly1305}),
 * which has AVX-512 (and AVX-512 IFMA Poly1305) code paths that BoringSSL, inside Conscrypt, lacks:
 * faster than Conscrypt for full Noise messages, a little slower for small ones (the native calls
 * cost more than the cipher there); JMH {@code AeadBenchmark} compares them, figures in
 * docs/benchmarks.md. Node.js — the JS peer the transport is measured against — links the same
 * library.
 *
 * <p>One {@code EVP_CIPHER_CTX} per instance, keyed once; each message re-initialises only the nonce
 * and the direction (4–5 native calls a message, little next to the cipher's work on a full 64 KiB
 * message). Every {@code ByteBuffer} call is the gather form: direct buffers are read
 * and written in place through their addresses, a heap input part is first copied to its place in
 * the (direct) output, and only {@code [position, position + n)} of the output is written. Heap
 * arrays and heap outputs go through a private direct staging buffer: no Java array is ever handed
 * to native code (see {@link JcaChaChaPoly#doFinal} for why pinning a shared array is a hazard).
 *
 * <p>Memory safety: the context is freed by {@link #close()} or, for an instance dropped without
 * it, by a {@link Cleaner} once the instance is unreachable; every method ends with a reachability
 * fence so that the context cannot be freed during a native call. After a failed tag check the
 * output may hold unauthenticated plaintext; callers discard it (they close the connection).
 */
final class OpenSslChaChaPoly implements ChaChaPoly {
    private static final int TAG = CipherState.TAG;
    private static final int NONCE = 0;
    private static final int OUTL = 16;
    private static final int KEY = 32;
    /** A gathered message's tag is copied here (after the key has left the scratch). */
    private static final int GATHERED_TAG = 32;

    /** Frees the context; holds no reference to the instance. */
    private record Ctx(long address) implements Runnable {
        @Override
        public void run() {
            LibCrypto.EVP_CIPHER_CTX_free(address);
        }
    }

    private final long ctx;
    private final Cleaner.Cleanable cleanable;
    /** nonce at 0 (12 bytes), the {@code int *outl} of every call at 16; little-endian. */
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64).order(ByteOrder.LITTLE_ENDIAN);
    private final long scratchAddress = address(scratch);
    private ByteBuffer staging = ByteBuffer.allocateDirect(0);
    private boolean closed;

    OpenSslChaChaPoly(long cipher, byte[] key) throws GeneralSecurityException {
        if (key.length != 32) throw new GeneralSecurityException("ChaCha20-Poly1305 key must be 32 bytes");
        long c = LibCrypto.EVP_CIPHER_CTX_new();
        if (c == 0) throw new OutOfMemoryError("EVP_CIPHER_CTX_new");
        this.ctx = c;
        this.cleanable = LibCrypto.CLEANER.register(this, new Ctx(c));
        try {
            scratch.put(KEY, key);
            check(EVP_CipherInit_ex(c, cipher, 0, scratchAddress + KEY, 0, 1), "EVP_CipherInit_ex(key)");
        } finally {
            scratch.put(KEY, new byte[32]); // the key lives on only inside the context
        }
        Reference.reachabilityFence(this);
    }

    /** One part of {@link #seal(long, ByteBuffer[], ByteBuffer)}. */
    @Override
    public int seal(long nonce, ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
        return seal(nonce, new ByteBuffer[] {in}, out);
    }

    /**
     * One message over several updates (the EVP interface streams: ChaCha20 keeps its partial block
     * and Poly1305 its partial input between calls). A direct part is read where it lies; a heap part
     * is first copied to its place in {@code out} and sealed there in place.
     */
    @Override
    public int seal(long nonce, ByteBuffer[] parts, ByteBuffer out) throws GeneralSecurityException {
        int len = ChaChaPoly.remaining(parts);
        if (out.remaining() < len + TAG) throw new ShortBufferException("output needs " + (len + TAG) + " bytes");
        if (!out.isDirect()) return viaStaging(true, nonce, ChaChaPoly.gather(parts), out);
        int start = out.position();
        long base = address(out);
        long at = base + start;
        start(nonce, 1, 0, 0);
        at = update(parts, len, out, base, at);
        check(EVP_CipherFinal_ex(ctx, at, scratchAddress + OUTL), "EVP_CipherFinal_ex");
        check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG, at), "EVP_CTRL_AEAD_GET_TAG");
        out.position(start + len + TAG);
        Reference.reachabilityFence(out);
        Reference.reachabilityFence(this);
        return len + TAG;
    }

    /**
     * The tag (the last 16 bytes, which may straddle parts) is copied to the scratch first; the
     * ciphertext is then opened over several updates, a direct part where it lies, a heap part
     * after a copy to its place in {@code out}.
     */
    @Override
    public int open(long nonce, ByteBuffer[] parts, ByteBuffer out) throws GeneralSecurityException {
        int len = ChaChaPoly.remaining(parts);
        if (len < TAG) throw new AEADBadTagException("ciphertext shorter than its tag");
        int ctLen = len - TAG;
        if (out.remaining() < ctLen) throw new ShortBufferException("output needs " + ctLen + " bytes");
        if (!out.isDirect()) return viaStaging(false, nonce, ChaChaPoly.gather(parts), out);
        for (int i = parts.length - 1, need = TAG; need > 0; i--) { // the tag, from the end
            ByteBuffer p = parts[i];
            int n = Math.min(need, p.remaining());
            scratch.put(GATHERED_TAG + need - n, p, p.limit() - n, n);
            need -= n;
        }
        int start = out.position();
        long base = address(out);
        long at = base + start;
        start(nonce, 0, 0, 0);
        check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG, scratchAddress + GATHERED_TAG), "EVP_CTRL_AEAD_SET_TAG");
        at = update(parts, ctLen, out, base, at);
        if (EVP_CipherFinal_ex(ctx, at, scratchAddress + OUTL) != 1) {
            Reference.reachabilityFence(this);
            throw new AEADBadTagException("ChaCha20-Poly1305 tag mismatch");
        }
        out.position(start + ctLen);
        Reference.reachabilityFence(out);
        Reference.reachabilityFence(this);
        return ctLen;
    }

    /**
     * Runs the first {@code limit} bytes of the parts through the started context into {@code out}
     * from address {@code at} ({@code base} is {@code out}'s address): a direct part is read where it
     * lies, a heap part is first copied to its place in {@code out} and processed there in place.
     * Every part's position goes to its limit. Returns the address after the last byte written.
     */
    private long update(ByteBuffer[] parts, int limit, ByteBuffer out, long base, long at) throws GeneralSecurityException {
        int left = limit;
        for (ByteBuffer p : parts) {
            int n = Math.min(p.remaining(), left);
            if (n > 0) {
                long src;
                if (p.isDirect()) {
                    src = address(p) + p.position();
                } else {
                    out.put((int) (at - base), p, p.position(), n);
                    src = at;
                }
                check(EVP_CipherUpdate(ctx, at, scratchAddress + OUTL, src, n), "EVP_CipherUpdate");
                Reference.reachabilityFence(p);
                at += n;
                left -= n;
            }
            p.position(p.limit());
        }
        return at;
    }

    /** One part of {@link #open(long, ByteBuffer[], ByteBuffer)}. */
    @Override
    public int open(long nonce, ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
        return open(nonce, new ByteBuffer[] {in}, out);
    }

    @Override
    public int seal(long nonce, byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
        Objects.checkFromIndexSize(off, len, in.length);
        Objects.checkFromIndexSize(outOff, len + TAG, out.length);
        ByteBuffer s = staging(ad.length + len + len + TAG);
        long base = address(s);
        s.put(0, ad).put(ad.length, in, off, len);
        seal(nonce, base, ad.length, base + ad.length, len, base + ad.length + len);
        s.get(ad.length + len, out, outOff, len + TAG);
        return len + TAG;
    }

    @Override
    public int open(long nonce, byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
        if (len < TAG) throw new AEADBadTagException("ciphertext shorter than its tag");
        Objects.checkFromIndexSize(off, len, in.length);
        Objects.checkFromIndexSize(outOff, len - TAG, out.length);
        ByteBuffer s = staging(ad.length + len + len);
        long base = address(s);
        s.put(0, ad).put(ad.length, in, off, len);
        open(nonce, base, ad.length, base + ad.length, len, base + ad.length + len);
        s.get(ad.length + len, out, outOff, len - TAG);
        return len - TAG;
    }

    /** Seals {@code len} bytes at {@code in} into {@code len + 16} bytes at {@code out}. */
    private void seal(long nonce, long ad, int adLen, long in, int len, long out) throws GeneralSecurityException {
        start(nonce, 1, ad, adLen);
        if (len > 0) check(EVP_CipherUpdate(ctx, out, scratchAddress + OUTL, in, len), "EVP_CipherUpdate");
        check(EVP_CipherFinal_ex(ctx, out + len, scratchAddress + OUTL), "EVP_CipherFinal_ex");
        check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG, out + len), "EVP_CTRL_AEAD_GET_TAG");
        Reference.reachabilityFence(this);
    }

    /** Opens {@code len} bytes (ciphertext ‖ tag) at {@code in} into {@code len - 16} bytes at {@code out}. */
    private void open(long nonce, long ad, int adLen, long in, int len, long out) throws GeneralSecurityException {
        int ctLen = len - TAG;
        start(nonce, 0, ad, adLen);
        check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG, in + ctLen), "EVP_CTRL_AEAD_SET_TAG");
        if (ctLen > 0) check(EVP_CipherUpdate(ctx, out, scratchAddress + OUTL, in, ctLen), "EVP_CipherUpdate");
        if (EVP_CipherFinal_ex(ctx, out + ctLen, scratchAddress + OUTL) != 1) {
            Reference.reachabilityFence(this);
            throw new AEADBadTagException("ChaCha20-Poly1305 tag mismatch");
        }
        Reference.reachabilityFence(this);
    }

    /** Sets the nonce and direction on the keyed context and feeds the associated data. */
    private void start(long nonce, int enc, long ad, int adLen) throws GeneralSecurityException {
        if (closed) throw new GeneralSecurityException("cipher closed");
        scratch.putInt(NONCE, 0).putLong(NONCE + 4, nonce);
        check(EVP_CipherInit_ex(ctx, 0, 0, 0, scratchAddress + NONCE, enc), "EVP_CipherInit_ex(nonce)");
        if (adLen > 0) check(EVP_CipherUpdate(ctx, 0, scratchAddress + OUTL, ad, adLen), "EVP_CipherUpdate(ad)");
    }

    /** Runs a heap output through the staging buffer (tests; the transport passes direct buffers). */
    private int viaStaging(boolean seal, long nonce, ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
        byte[] src = new byte[in.remaining()];
        in.get(src);
        byte[] dst = new byte[seal ? src.length + TAG : src.length - TAG];
        int n = seal
                ? seal(nonce, CipherState.EMPTY, src, 0, src.length, dst, 0)
                : open(nonce, CipherState.EMPTY, src, 0, src.length, dst, 0);
        out.put(dst, 0, n);
        return n;
    }

    private ByteBuffer staging(int size) {
        if (staging.capacity() < size) staging = ByteBuffer.allocateDirect(Math.max(size, 2 * staging.capacity()));
        return staging;
    }

    private static void check(int rc, String what) throws GeneralSecurityException {
        if (rc != 1) throw new GeneralSecurityException(what + " failed (" + rc + ")");
    }

    @Override
    public void close() {
        closed = true;
        cleanable.clean();
    }
}
