package io.warpstats.node.core;

import io.warpstats.crdt.DeltaSigner;
import io.warpstats.crdt.DeltaVerifier;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.crypto.PublicKey;

/**
 * Signed deltas with the node's Ed25519 identity: the author id is the raw peer id (identity
 * multihash of the public key), so a verifier needs nothing but the delta to check it.
 */
public final class Ed25519Deltas {
    private Ed25519Deltas() {}

    /** Signs with {@code key}; the author id is its peer id's bytes. */
    public static DeltaSigner signer(PrivateKey key) {
        byte[] author = PeerId.fromPublicKey(key.publicKey()).toBytes();
        return new DeltaSigner() {
            @Override public byte[] authorId() { return author.clone(); }
            @Override public byte[] sign(byte[] payload) { return key.sign(payload); }
        };
    }

    /** Verifies against the key inlined in the author's peer id; returns the printable peer id. */
    public static DeltaVerifier verifier() {
        return (author, payload, signature) -> {
            if (author == null || author.length > 64 || signature == null || signature.length != 64) {
                throw new IllegalArgumentException("malformed author or signature");
            }
            PeerId peer = PeerId.fromBytes(author);
            PublicKey pk = peer.publicKey().orElseThrow(() -> new IllegalArgumentException("author id carries no Ed25519 key"));
            if (!pk.verify(payload, signature)) throw new IllegalArgumentException("bad delta signature of " + peer);
            return peer.toString();
        };
    }
}
