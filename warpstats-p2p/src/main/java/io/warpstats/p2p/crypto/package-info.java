/**
 * Keys: Ed25519 identity keys ({@link io.warpstats.p2p.crypto.PrivateKey},
 * {@link io.warpstats.p2p.crypto.PublicKey}) on the JDK provider, and their persistence in a data
 * directory ({@link io.warpstats.p2p.crypto.Identity}, mode 0600, created atomically once).
 * Invariant: only Ed25519 keys are produced or accepted; a malformed key or signature is
 * rejected (verification returns false, never throws).
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.p2p.crypto;

import org.jspecify.annotations.NullMarked;
