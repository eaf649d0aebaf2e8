package io.warpstats.p2p.noise;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The few functions of the system's OpenSSL {@code libcrypto} (1.1.1 or 3.x) that the Noise
 * transport needs (its cipher, {@link OpenSslChaChaPoly}, and its key agreement,
 * {@link OpenSslX25519}), bound with JNA direct mapping (static {@code native} methods: no reflection, no
 * argument objects per call).
 *
 * <p>Every pointer is passed as a {@code long} address (x86-64 and AArch64 pass both in the same
 * integer registers); callers own the memory those addresses point to and must keep it alive for
 * the call. {@code size_t} is a {@code long} (LP64). Nothing here is called unless {@link #load()}
 * succeeded.
 */
final class LibCrypto {
    static final int EVP_CTRL_AEAD_GET_TAG = 0x10;
    static final int EVP_CTRL_AEAD_SET_TAG = 0x11;
    static final int OPENSSL_VERSION = 0;
    static final int EVP_PKEY_X25519 = 1034;

    /** The names tried, in order: the versioned library needs no {@code -dev} package. */
    private static final List<String> NAMES = List.of("libcrypto.so.3", "libcrypto.so.1.1", "crypto");

    /** The bound library's name once {@link #load()} succeeded. */
    private static @Nullable String loaded;

    /** Frees native objects whose Java owner became unreachable without being closed (one thread for all of them). */
    static final Cleaner CLEANER = Cleaner.create();

    private LibCrypto() {}

    /** The native address of a direct buffer's first byte (its position is the caller's to add). */
    static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /**
     * Binds the natives (once per JVM; later calls return the same name); returns the library's
     * name, or throws (UnsatisfiedLinkError, ...) when absent or lacking a function (OpenSSL 1.1.0
     * has no raw X25519 keys).
     */
    static synchronized String load() {
        if (loaded != null) return loaded;
        Throwable last = null;
        for (String name : NAMES) {
            try {
                NativeLibrary lib = NativeLibrary.getInstance(name);
                Native.register(LibCrypto.class, lib);
                loaded = name;
                return name;
            } catch (UnsatisfiedLinkError e) {
                last = e;
            }
        }
        throw new UnsatisfiedLinkError("no OpenSSL libcrypto among " + NAMES + ": " + last);
    }

    static native long OpenSSL_version(int type);

    static native long EVP_chacha20_poly1305();

    static native long EVP_CIPHER_CTX_new();

    static native void EVP_CIPHER_CTX_free(long ctx);

    static native int EVP_CipherInit_ex(long ctx, long cipher, long engine, long key, long iv, int enc);

    static native int EVP_CipherUpdate(long ctx, long out, long outl, long in, int inl);

    static native int EVP_CipherFinal_ex(long ctx, long out, long outl);

    static native int EVP_CIPHER_CTX_ctrl(long ctx, int type, int arg, long ptr);

    static native long EVP_PKEY_new_raw_private_key(int type, long engine, long key, long keylen);

    static native long EVP_PKEY_new_raw_public_key(int type, long engine, long key, long keylen);

    static native int EVP_PKEY_get_raw_public_key(long pkey, long pub, long lenPtr);

    static native void EVP_PKEY_free(long pkey);

    static native long EVP_PKEY_CTX_new(long pkey, long engine);

    static native void EVP_PKEY_CTX_free(long ctx);

    static native int EVP_PKEY_derive_init(long ctx);

    static native int EVP_PKEY_derive_set_peer(long ctx, long peer);

    static native int EVP_PKEY_derive(long ctx, long key, long keylenPtr);

    static native void ERR_clear_error();
}
