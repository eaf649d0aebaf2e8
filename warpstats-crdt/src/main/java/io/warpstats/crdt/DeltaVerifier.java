package io.warpstats.crdt;

/** Verifies the signature of a received delta (p2p plugs in Ed25519 over peer ids). */
@FunctionalInterface
public interface DeltaVerifier {
    /**
     * Checks {@code signature} of {@code author} over {@code payload}.
     *
     * @return the printable author id (e.g. {@code 12D3KooW…}) handed to the {@link WriteAuthorizer}
     * @throws IllegalArgumentException if the author id is malformed or the signature invalid
     */
    String verify(byte[] author, byte[] payload, byte[] signature);
}
