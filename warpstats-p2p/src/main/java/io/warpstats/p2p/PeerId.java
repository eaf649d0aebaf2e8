package io.warpstats.p2p;

import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.Multibase;
import io.warpstats.multiformats.Multihash;
import io.warpstats.p2p.crypto.PublicKey;
import java.util.Arrays;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A libp2p peer id: the multihash of the protobuf-encoded public key. Ed25519 keys (36 bytes
 * encoded) are inlined with the identity multihash ({@code 00 24 08 01 12 20 ‖ key}); longer
 * keys would be hashed with sha2-256 (not produced here, but parsed).
 *
 * <p>Printed in base58btc ({@code 12D3KooW…}); parsed from base58btc or from its CIDv1 form
 * (codec libp2p-key, {@code bafz…}). Immutable; equality is on the multihash bytes.
 */
public final class PeerId implements Comparable<PeerId> {
    private final byte[] bytes;
    private final int hash;

    private PeerId(byte[] multihashBytes) {
        this.bytes = multihashBytes;
        this.hash = Arrays.hashCode(multihashBytes);
    }

    /** The peer id of a public key. */
    public static PeerId fromPublicKey(PublicKey key) {
        byte[] proto = key.toProtobuf();
        Multihash mh = proto.length <= 42 ? Multihash.identity(proto) : Multihash.sha256(proto);
        return new PeerId(mh.toBytes());
    }

    /** Parses the binary multihash form; rejects anything that is not an identity or sha2-256 multihash. */
    public static PeerId fromBytes(byte[] bytes) {
        Multihash.fromBytes(bytes); // validates
        return new PeerId(bytes.clone());
    }

    /** Parses {@code 12D3KooW…}/{@code Qm…} (base58btc) or the CID form {@code bafz…}. */
    public static PeerId parse(String s) {
        if (s.isEmpty() || s.length() > 200) throw new IllegalArgumentException("invalid peer id length");
        if (s.startsWith("1") || s.startsWith("Qm")) return fromBytes(Multibase.decodeBase58(s));
        Cid cid = Cid.parse(s);
        if (cid.codec() != Cid.LIBP2P_KEY) throw new IllegalArgumentException("CID is not a libp2p-key");
        return new PeerId(cid.multihash().toBytes());
    }

    /** The binary multihash (a copy). */
    public byte[] toBytes() { return bytes.clone(); }

    /** The public key, when it is inlined (identity multihash), as it is for Ed25519. */
    public Optional<PublicKey> publicKey() {
        Multihash mh = Multihash.fromBytes(bytes);
        if (mh.code() != Multihash.IDENTITY) return Optional.empty();
        try {
            return Optional.of(PublicKey.fromProtobuf(mh.digest()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The CIDv1 (libp2p-key) form, base32. */
    public String toCidString() {
        return Cid.v1(Cid.LIBP2P_KEY, Multihash.fromBytes(bytes)).toString();
    }

    @Override
    public String toString() { return Multibase.base58(bytes); }

    @Override
    public boolean equals(@Nullable Object o) { return o instanceof PeerId p && p.hash == hash && Arrays.equals(p.bytes, bytes); }

    @Override
    public int hashCode() { return hash; }

    @Override
    public int compareTo(PeerId o) { return Arrays.compareUnsigned(bytes, o.bytes); }
}
