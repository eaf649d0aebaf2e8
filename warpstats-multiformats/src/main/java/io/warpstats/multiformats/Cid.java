package io.warpstats.multiformats;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A content identifier. Version 0 is a bare sha2-256 multihash (implicitly dag-pb, printed
 * base58btc {@code Qm…}); version 1 is {@code varint(1) ‖ varint(codec) ‖ multihash}, printed
 * in base32 ({@code b…}). Blocks of this project are always CIDv1, dag-pb, sha2-256.
 *
 * <p>Immutable. {@link #equals} compares the binary form, so a v0 and a v1 CID of the same
 * block are different CIDs, as in IPFS.
 */
public final class Cid implements Comparable<Cid> {
    public static final int DAG_PB = 0x70;
    public static final int RAW = 0x55;
    public static final int LIBP2P_KEY = 0x72;

    private final int version;
    private final long codec;
    private final Multihash multihash;
    private final byte[] bytes;
    private final int hash;

    private Cid(int version, long codec, Multihash multihash) {
        this.version = version;
        this.codec = codec;
        this.multihash = multihash;
        byte[] mh = multihash.toBytes();
        if (version == 0) {
            this.bytes = mh;
        } else {
            byte[] v = Varint.encode(version), c = Varint.encode(codec);
            this.bytes = new byte[v.length + c.length + mh.length];
            System.arraycopy(v, 0, bytes, 0, v.length);
            System.arraycopy(c, 0, bytes, v.length, c.length);
            System.arraycopy(mh, 0, bytes, v.length + c.length, mh.length);
        }
        this.hash = Arrays.hashCode(bytes);
    }

    /** A CIDv1. */
    public static Cid v1(long codec, Multihash multihash) {
        return new Cid(1, codec, multihash);
    }

    /** A CIDv0 (sha2-256, dag-pb). */
    public static Cid v0(Multihash multihash) {
        if (multihash.code() != Multihash.SHA2_256) throw new IllegalArgumentException("CIDv0 requires sha2-256");
        return new Cid(0, DAG_PB, multihash);
    }

    /** The CIDv1 dag-pb sha2-256 CID of a block's bytes. */
    public static Cid ofDagPb(byte[] block) {
        return v1(DAG_PB, Multihash.sha256(block));
    }

    /** Parses the binary form (v0 if it starts with 0x12 0x20, else v1). Trailing bytes are rejected. */
    public static Cid fromBytes(byte[] data) {
        ByteBuffer buf = ByteBuffer.wrap(data);
        Cid cid = read(buf);
        if (buf.hasRemaining()) throw new IllegalArgumentException("trailing bytes after CID");
        return cid;
    }

    /** Reads one CID from {@code buf}, advancing it. */
    public static Cid read(ByteBuffer buf) {
        if (buf.remaining() >= 34 && buf.get(buf.position()) == 0x12 && buf.get(buf.position() + 1) == 0x20) {
            return v0(Multihash.read(buf));
        }
        long version = Varint.decode(buf);
        if (version != 1) throw new IllegalArgumentException("unsupported CID version " + version);
        long codec = Varint.decode(buf);
        return v1(codec, Multihash.read(buf));
    }

    /** Parses a printed CID: {@code Qm…} (v0, base58btc) or a multibase string (v1). */
    public static Cid parse(String s) {
        if (s.length() == 46 && s.startsWith("Qm")) return fromBytes(Multibase.decodeBase58(s));
        byte[] data = Multibase.decode(s);
        Cid cid = fromBytes(data);
        if (cid.version == 0) throw new IllegalArgumentException("CIDv0 must not carry a multibase prefix");
        return cid;
    }

    public int version() { return version; }
    public long codec() { return codec; }
    public Multihash multihash() { return multihash; }

    /** The binary form (a copy). */
    public byte[] toBytes() { return bytes.clone(); }

    /** Length of the binary form. */
    public int length() { return bytes.length; }

    /** True if {@code block} hashes to this CID's multihash. */
    public boolean verifies(byte[] block) { return multihash.verifies(block); }

    /** Base58btc for v0, base32 with prefix {@code b} for v1. */
    @Override
    public String toString() {
        return version == 0 ? Multibase.base58(bytes) : "b" + Multibase.base32(bytes);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Cid c && c.hash == hash && Arrays.equals(c.bytes, bytes);
    }

    @Override
    public int hashCode() { return hash; }

    @Override
    public int compareTo(Cid o) { return Arrays.compareUnsigned(bytes, o.bytes); }
}
