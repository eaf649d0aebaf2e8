package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.DagPb;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A block of the Merkle-DAG: a dag-pb node whose Data is a serialized {@link Delta} and whose
 * links (empty Name, Tsize 0, as go-ds-crdt writes them) point to the heads the writer had.
 *
 * @param cid   CIDv1 dag-pb sha2-256 of the block's bytes
 * @param links the previous heads, in wire order
 * @param delta the decoded delta
 */
public record Block(Cid cid, List<Cid> links, Delta delta) {
    public Block {
        Objects.requireNonNull(cid, "cid");
        links = List.copyOf(links);
        Objects.requireNonNull(delta, "delta");
    }

    /** The canonical bytes of a block with these links and this delta. */
    public static byte[] encode(List<Cid> links, Delta delta) {
        return encode(links, delta.toBytes());
    }

    /** Encodes a block with {@code links} around a delta already serialized ({@link Delta#toBytes()}). */
    static byte[] encode(List<Cid> links, byte[] delta) {
        List<DagPb.Link> l = new ArrayList<>(links.size());
        for (Cid c : links) l.add(DagPb.Link.of(c));
        return DagPb.encode(l, delta);
    }

    /** Encodes and hashes a block. */
    public static Block of(List<Cid> links, Delta delta) {
        return new Block(Cid.ofDagPb(encode(links, delta)), links, delta);
    }

    /** The canonical bytes of this block. */
    public byte[] toBytes() {
        return encode(links, delta);
    }

    /**
     * Decodes a block received from anywhere.
     *
     * @throws IllegalArgumentException if not a dag-pb node with a Delta in its Data
     */
    public static Block decode(byte[] bytes) {
        return decode(Cid.ofDagPb(bytes), bytes);
    }

    /**
     * Decodes a block that must hash to {@code expected}.
     *
     * @throws IllegalArgumentException if the bytes do not hash to {@code expected} or are malformed
     */
    public static Block decodeVerified(Cid expected, byte[] bytes) {
        if (bytes.length > DagPb.MAX_BLOCK_SIZE) throw new IllegalArgumentException("block too large");
        if (!expected.verifies(bytes)) throw new IllegalArgumentException("block does not hash to " + expected);
        return decode(expected, bytes);
    }

    /** Decodes a block whose CID the caller just computed from these very bytes (no second hash). */
    static Block decodeHashed(Cid cid, byte[] bytes) {
        if (bytes.length > DagPb.MAX_BLOCK_SIZE) throw new IllegalArgumentException("block too large");
        return decode(cid, bytes);
    }

    private static Block decode(Cid cid, byte[] bytes) {
        DagPb.Node node = DagPb.decode(bytes);
        List<Cid> links = new ArrayList<>(node.links().size());
        for (DagPb.Link l : node.links()) links.add(l.hash());
        Delta delta = Delta.parse(node.data() == null ? Wire.EMPTY : node.data());
        return new Block(cid, links, delta);
    }
}
