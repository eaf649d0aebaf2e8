package io.warpstats.crdt;

/**
 * Signs the deltas this replica writes (p2p plugs in its Ed25519 node key; crdt knows no keys).
 * The engine puts {@link #authorId()} in Delta field 1001 and {@code sign(payload)} in field 1002,
 * where {@code payload} is {@link Delta#signingPayload(java.util.List)}.
 */
public interface DeltaSigner {
    /** The author id written into every delta (e.g. the libp2p peer id bytes). */
    byte[] authorId();

    /** Signs {@code payload}. */
    byte[] sign(byte[] payload);
}
