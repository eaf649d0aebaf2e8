package io.warpstats.p2p.noise;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * A Noise CipherState: ChaCha20-Poly1305 with a 64-bit counter nonce (4 zero bytes ‖ little-endian
 * counter). Not thread-safe (one per direction, used on one event loop). One BouncyCastle
 * {@link ChaCha20Poly1305} instance per direction, keyed once: each frame re-inits only the nonce.
 */
final class CipherState {
    static final int TAG = 16;
    private final ChaCha20Poly1305 encryptor = new ChaCha20Poly1305();
    private final ChaCha20Poly1305 decryptor = new ChaCha20Poly1305();
    private final KeyParameter key;
    private boolean encKeyed, decKeyed;
    private final byte[] nonce = new byte[12];
    private long n;

    CipherState(byte[] k) {
        if (k.length != 32) throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes");
        this.key = new KeyParameter(k);
    }

    private ParametersWithIV next(boolean keyed) throws GeneralSecurityException {
        if (n == -1L) throw new GeneralSecurityException("nonce exhausted");
        for (int i = 0; i < 8; i++) nonce[4 + i] = (byte) (n >>> (8 * i));
        n++;
        return new ParametersWithIV(keyed ? null : key, nonce); // null: keep the key (no re-keying per frame)
    }

    /** Encrypts {@code len} bytes of {@code in} into {@code out} at {@code outOff}; returns bytes written (len + 16). */
    int encrypt(byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
        encryptor.init(true, next(encKeyed));
        encKeyed = true;
        if (ad.length > 0) encryptor.processAADBytes(ad, 0, ad.length);
        int w = encryptor.processBytes(in, off, len, out, outOff);
        try {
            return w + encryptor.doFinal(out, outOff + w);
        } catch (InvalidCipherTextException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** Starts one frame of encryption (no associated data): then {@link #encryptUpdate}s and {@link #encryptFinish}. */
    void encryptBegin() throws GeneralSecurityException {
        encryptor.init(true, next(encKeyed));
        encKeyed = true;
    }

    int encryptUpdate(byte[] in, int off, int len, byte[] out, int outOff) {
        return encryptor.processBytes(in, off, len, out, outOff);
    }

    /** Writes the buffered rest and the tag; returns the bytes written. */
    int encryptFinish(byte[] out, int outOff) throws GeneralSecurityException {
        try {
            return encryptor.doFinal(out, outOff);
        } catch (InvalidCipherTextException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** Decrypts and authenticates; throws {@link javax.crypto.AEADBadTagException} on a forged frame. */
    int decrypt(byte[] ad, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
        if (len < TAG) throw new GeneralSecurityException("ciphertext shorter than its tag");
        decryptor.init(false, next(decKeyed));
        decKeyed = true;
        if (ad.length > 0) decryptor.processAADBytes(ad, 0, ad.length);
        int w = decryptor.processBytes(in, off, len, out, outOff);
        try {
            return w + decryptor.doFinal(out, outOff + w);
        } catch (InvalidCipherTextException e) {
            decryptor.reset();
            throw new AEADBadTagException("noise frame: " + e.getMessage());
        }
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
}
