/**
 * Noise XX ({@code Noise_XX_25519_ChaChaPoly_SHA256}) with the libp2p handshake payload:
 * {@link io.warpstats.p2p.noise.NoiseHandshake} (pure state machine) and
 * {@link io.warpstats.p2p.noise.NoiseHandler} (Netty framing and transport encryption).
 * Invariants: frames are at most 65535 bytes; the remote's identity is proven by its signature
 * over its static key and must equal the dialed peer id; any authentication failure closes the
 * connection; nonces never repeat (a CipherState refuses to wrap). The ciphers
 * ({@link io.warpstats.p2p.noise.Aead}, {@code X25519}) come from the system's OpenSSL through JNA
 * when it passes a self-test, else from Conscrypt / the JDK / BouncyCastle — the same bytes either
 * way; native code writes only into direct memory or a private array, never into a shared one.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.p2p.noise;

import org.jspecify.annotations.NullMarked;
