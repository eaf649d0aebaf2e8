package io.warpstats.multiformats;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The dag-pb codec (IPLD spec "DAG-PB"), strict and canonical.
 *
 * <pre>
 * message PBLink { optional bytes Hash = 1; optional string Name = 2; optional uint64 Tsize = 3; }
 * message PBNode { repeated PBLink Links = 2; optional bytes Data = 1; }
 * </pre>
 * On the wire the Links (field 2) come <em>before</em> Data (field 1): this is the canonical form
 * every IPLD implementation produces, and the form whose sha2-256 gives the block's CID. The
 * decoder follows the spec's strictness rules, like {@code @ipld/dag-pb}: fields in canonical
 * order, no unknown fields, no duplicate Data, a Hash in every link that is a valid CID. Presence
 * is kept (an empty Name present differs from an absent Name), so {@code encode(decode(b))} equals
 * {@code b} for every block the decoder accepts.
 *
 * <p>Hostile input: the block size is capped at {@link #MAX_BLOCK_SIZE}, the link count at
 * {@link #MAX_LINKS}; anything malformed throws {@link IllegalArgumentException}.
 */
public final class DagPb {
    /** Largest block accepted or produced (bytes); bitswap's practical limit is 2 MiB. */
    public static final int MAX_BLOCK_SIZE = 2 << 20;
    /** Most links per node accepted or produced. */
    public static final int MAX_LINKS = 8192;
    /** Longest link name accepted. */
    public static final int MAX_NAME = 1024;

    private DagPb() {}

    /**
     * A link of a dag-pb node.
     *
     * @param hash  the linked block's CID
     * @param name  the link name, or {@code null} if absent (go-ds-crdt writes an empty name)
     * @param tsize the cumulative size, or {@code null} if absent (go-ds-crdt writes 0)
     */
    public record Link(Cid hash, @Nullable String name, @Nullable Long tsize) {
        public Link {
            Objects.requireNonNull(hash, "hash");
            if (tsize != null && tsize < 0) throw new IllegalArgumentException("negative Tsize");
        }

        /** The link go-ds-crdt writes: empty name, Tsize 0. */
        public static Link of(Cid hash) {
            return new Link(hash, "", 0L);
        }
    }

    /**
     * A dag-pb node.
     *
     * @param links the links, in wire order
     * @param data  the Data bytes, or {@code null} if absent
     */
    public record Node(List<Link> links, byte @Nullable [] data) {
        public Node {
            links = List.copyOf(links);
            if (links.size() > MAX_LINKS) throw new IllegalArgumentException("too many links: " + links.size());
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Node n && n.links.equals(links) && Arrays.equals(n.data, data);
        }

        @Override
        public int hashCode() {
            return links.hashCode() * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Node[links=" + links + ", data=" + (data == null ? "absent" : data.length + " bytes") + "]";
        }
    }

    /** Encodes {@code node} canonically. */
    public static byte[] encode(Node node) {
        return encode(node.links(), node.data());
    }

    /** Encodes a node with {@code links} (in order) and {@code data} ({@code null}: absent). */
    public static byte[] encode(List<Link> links, byte @Nullable [] data) {
        if (links.size() > MAX_LINKS) throw new IllegalArgumentException("too many links: " + links.size());
        int size = 0;
        int[] linkSizes = new int[links.size()];
        for (int i = 0; i < links.size(); i++) {
            int ls = linkSize(links.get(i));
            linkSizes[i] = ls;
            size += CodedOutputStream.computeTagSize(2) + CodedOutputStream.computeUInt32SizeNoTag(ls) + ls;
        }
        if (data != null) size += CodedOutputStream.computeByteArraySize(1, data);
        if (size > MAX_BLOCK_SIZE) throw new IllegalArgumentException("block larger than " + MAX_BLOCK_SIZE + " bytes");
        byte[] out = new byte[size];
        CodedOutputStream cos = CodedOutputStream.newInstance(out);
        try {
            for (int i = 0; i < links.size(); i++) {
                Link l = links.get(i);
                cos.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                cos.writeUInt32NoTag(linkSizes[i]);
                byte[] cid = l.hash().toBytes();
                cos.writeByteArray(1, cid);
                if (l.name() != null) cos.writeString(2, l.name());
                if (l.tsize() != null) cos.writeUInt64(3, l.tsize());
            }
            if (data != null) cos.writeByteArray(1, data);
            cos.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("dag-pb size miscomputed", e);
        }
        return out;
    }

    private static int linkSize(Link l) {
        int s = CodedOutputStream.computeTagSize(1) + CodedOutputStream.computeUInt32SizeNoTag(l.hash().length())
                + l.hash().length();
        if (l.name() != null) s += CodedOutputStream.computeStringSize(2, l.name());
        if (l.tsize() != null) s += CodedOutputStream.computeUInt64Size(3, l.tsize());
        return s;
    }

    /**
     * Decodes a block strictly (see the class comment).
     *
     * @throws IllegalArgumentException if the bytes are not a canonical dag-pb node within the limits
     */
    public static Node decode(byte[] block) {
        if (block.length > MAX_BLOCK_SIZE) throw new IllegalArgumentException("block larger than " + MAX_BLOCK_SIZE + " bytes");
        CodedInputStream in = CodedInputStream.newInstance(block);
        List<Link> links = new ArrayList<>();
        byte[] data = null;
        try {
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                int field = WireFormat.getTagFieldNumber(tag);
                if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    throw new IllegalArgumentException("dag-pb: field " + field + " has wrong wire type");
                }
                if (field == 2) {
                    if (data != null) throw new IllegalArgumentException("dag-pb: Links after Data (non-canonical)");
                    if (links.size() == MAX_LINKS) throw new IllegalArgumentException("dag-pb: more than " + MAX_LINKS + " links");
                    int len = in.readRawVarint32();
                    if (len < 0) {
                        throw new IllegalArgumentException("dag-pb: link length out of range");
                    }
                    int old = in.pushLimit(len);
                    links.add(decodeLink(in));
                    in.popLimit(old);
                } else if (field == 1) {
                    if (data != null) throw new IllegalArgumentException("dag-pb: duplicate Data");
                    data = in.readByteArray();
                } else {
                    throw new IllegalArgumentException("dag-pb: unknown field " + field);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("dag-pb: malformed protobuf: " + e.getMessage(), e);
        }
        return new Node(links, data);
    }

    private static Link decodeLink(CodedInputStream in) throws IOException {
        Cid hash = null;
        String name = null;
        Long tsize = null;
        int last = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            int field = WireFormat.getTagFieldNumber(tag);
            int wt = WireFormat.getTagWireType(tag);
            if (field <= last) throw new IllegalArgumentException("dag-pb: link fields out of order or duplicated");
            last = field;
            switch (field) {
                case 1 -> {
                    if (wt != WireFormat.WIRETYPE_LENGTH_DELIMITED) throw new IllegalArgumentException("dag-pb: bad Hash wire type");
                    byte[] b = in.readByteArray();
                    try {
                        hash = Cid.read(ByteBuffer.wrap(b));
                        if (hash.length() != b.length) throw new IllegalArgumentException("trailing bytes after CID");
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("dag-pb: link Hash is not a valid CID: " + e.getMessage(), e);
                    }
                }
                case 2 -> {
                    if (wt != WireFormat.WIRETYPE_LENGTH_DELIMITED) throw new IllegalArgumentException("dag-pb: bad Name wire type");
                    byte[] b = in.readByteArray();
                    if (b.length > MAX_NAME) throw new IllegalArgumentException("dag-pb: link name too long");
                    name = utf8(b);
                }
                case 3 -> {
                    if (wt != WireFormat.WIRETYPE_VARINT) throw new IllegalArgumentException("dag-pb: bad Tsize wire type");
                    long t = in.readUInt64();
                    if (t < 0) throw new IllegalArgumentException("dag-pb: Tsize exceeds 2^63-1");
                    tsize = t;
                }
                default -> throw new IllegalArgumentException("dag-pb: unknown link field " + field);
            }
        }
        if (hash == null) throw new IllegalArgumentException("dag-pb: link without Hash");
        return new Link(hash, name, tsize);
    }

    /** Strict UTF-8 decoding (malformed sequences are rejected, not replaced). */
    static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("invalid UTF-8", e);
        }
    }
}
