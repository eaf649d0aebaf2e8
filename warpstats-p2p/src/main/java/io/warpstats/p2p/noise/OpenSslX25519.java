package io.warpstats.p2p.noise;

import static io.warpstats.p2p.noise.LibCrypto.address;
import static io.warpstats.p2p.noise.LibCrypto.EVP_PKEY_X25519;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;

/**
 * X25519 (RFC 7748) from the system's OpenSSL {@code libcrypto} ({@code EVP_PKEY_X25519}), whose
 * x86-64 variable-base ladder uses 64-bit limbs with MULX/ADX. Raw 32-byte keys in and out, as
 * {@link X25519}; only {@link X25519} calls this, and only after {@link LibCrypto#load()} and its
 * self-test succeeded.
 *
 * <p>A private key is imported once into a {@link Key} ({@code EVP_PKEY_new_raw_private_key},
 * which also computes the public key: OpenSSL 3.0's fixed-base multiplication is no faster than
 * BouncyCastle's) and then serves any number of agreements, each only a variable-base
 * multiplication ({@code EVP_PKEY_derive}): importing the private key on every agreement would
 * cost as much again.
 *
 * <p>Memory safety: a {@link Key}'s {@code EVP_PKEY} is freed by a {@link Cleaner} once the key is
 * unreachable (every use ends with a reachability fence, so never during a native call); it is
 * only read after creation, so concurrent agreements with one key are safe. Each agreement frees
 * the peer {@code EVP_PKEY} and the {@code EVP_PKEY_CTX} it created in a {@code finally} block,
 * whatever fails. Keys travel through a per-thread direct scratch buffer (no Java array is handed
 * to native code), zeroed before each call returns. A failed call clears the thread's OpenSSL
 * error queue.
 */
final class OpenSslX25519 {
    private static final int IN = 0, OUT = 32, LEN = 64;

    /** in key at 0, out key at 32, a {@code size_t} length at 64, in the host's byte order. */
    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(72).order(ByteOrder.nativeOrder()));

    private OpenSslX25519() {}

    /** Frees an {@code EVP_PKEY}; holds no reference to its {@link Key}. */
    private record Free(long pkey) implements Runnable {
        @Override
        public void run() {
            LibCrypto.EVP_PKEY_free(pkey);
        }
    }

    /** An imported private key and its public key. */
    static final class Key {
        private final long pkey;
        private final byte[] publicRaw;

        private Key(long pkey, byte[] publicRaw) {
            this.pkey = pkey;
            this.publicRaw = publicRaw;
        }

        /** The public key (a copy). */
        byte[] publicRaw() {
            return publicRaw.clone();
        }
    }

    /** Imports a 32-byte private key (clamped by OpenSSL on use, as RFC 7748 says). */
    static Key importPrivate(byte[] privateRaw) throws GeneralSecurityException {
        if (privateRaw.length != 32) throw new GeneralSecurityException("X25519 key must be 32 bytes");
        ByteBuffer s = SCRATCH.get();
        long a = address(s);
        long pkey = 0;
        try {
            s.put(IN, privateRaw);
            pkey = LibCrypto.EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, 0, a + IN, 32);
            if (pkey == 0) throw failure("EVP_PKEY_new_raw_private_key");
            s.putLong(LEN, 32);
            if (LibCrypto.EVP_PKEY_get_raw_public_key(pkey, a + OUT, a + LEN) != 1 || s.getLong(LEN) != 32) {
                throw failure("EVP_PKEY_get_raw_public_key");
            }
            byte[] pub = new byte[32];
            s.get(OUT, pub);
            Key key = new Key(pkey, pub);
            LibCrypto.CLEANER.register(key, new Free(pkey));
            pkey = 0; // owned by the key now
            return key;
        } finally {
            if (pkey != 0) LibCrypto.EVP_PKEY_free(pkey);
            s.put(IN, new byte[32]);
        }
    }

    /**
     * The shared secret of a private and a remote public key (top bit of the remote key ignored,
     * as RFC 7748 says); fails for an all-zero result, i.e. a low-order remote key.
     */
    static byte[] agree(Key local, byte[] remoteRaw) throws GeneralSecurityException {
        if (remoteRaw.length != 32) throw new GeneralSecurityException("X25519 key must be 32 bytes");
        ByteBuffer s = SCRATCH.get();
        long a = address(s);
        long remote = 0, ctx = 0;
        try {
            s.put(IN, remoteRaw);
            remote = LibCrypto.EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, 0, a + IN, 32);
            if (remote == 0) throw failure("EVP_PKEY_new_raw_public_key");
            ctx = LibCrypto.EVP_PKEY_CTX_new(local.pkey, 0);
            if (ctx == 0) throw failure("EVP_PKEY_CTX_new");
            if (LibCrypto.EVP_PKEY_derive_init(ctx) != 1) throw failure("EVP_PKEY_derive_init");
            if (LibCrypto.EVP_PKEY_derive_set_peer(ctx, remote) != 1) throw failure("EVP_PKEY_derive_set_peer");
            s.putLong(LEN, 32);
            // OpenSSL's ossl_x25519 fails on an all-zero result (RFC 7748 §6.1's check)
            if (LibCrypto.EVP_PKEY_derive(ctx, a + OUT, a + LEN) != 1) throw failure("low-order X25519 key: EVP_PKEY_derive");
            if (s.getLong(LEN) != 32) throw failure("EVP_PKEY_derive length");
            byte[] secret = new byte[32];
            s.get(OUT, secret);
            return secret;
        } finally {
            if (ctx != 0) LibCrypto.EVP_PKEY_CTX_free(ctx); // drops its references to both keys
            if (remote != 0) LibCrypto.EVP_PKEY_free(remote);
            s.put(OUT, new byte[32]);
            Reference.reachabilityFence(local);
        }
    }

    private static GeneralSecurityException failure(String what) {
        LibCrypto.ERR_clear_error();
        return new GeneralSecurityException(what + " failed");
    }
}
