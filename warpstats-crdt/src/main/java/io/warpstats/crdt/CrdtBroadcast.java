package io.warpstats.crdt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.warpstats.multiformats.Cid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The announcement of heads, byte-exact with go-ds-crdt:
 * {@code message CRDTBroadcast { repeated Head heads = 1; repeated bytes blocks = 15; }}
 * {@code message Head { bytes cid = 1; string dagName = 2; }}.
 *
 * <p>{@code blocks} (ours, field 15, skipped by go-ds-crdt readers) is the eager push: the raw
 * bytes of small announced heads, so a receiver that holds their links merges them at once,
 * without a sync round trip. A receiver checks each against the announced CIDs (it is hashed);
 * anything else is ignored.
 */
public record CrdtBroadcast(List<Announced> heads, List<byte[]> blocks) {
    /** Most heads accepted in one announcement. */
    public static final int MAX_HEADS = 1024;
    /** Largest block pushed eagerly in an announcement (larger ones are fetched with sync). */
    public static final int MAX_EAGER_BYTES = 2048;
    /** Most blocks pushed eagerly in one announcement. */
    public static final int MAX_EAGER_BLOCKS = 8;

    public CrdtBroadcast {
        heads = List.copyOf(heads);
        blocks = List.copyOf(blocks);
    }

    /** Heads only (go-ds-crdt's message). */
    public CrdtBroadcast(List<Announced> heads) {
        this(heads, List.of());
    }

    /** The wire {@code Head} message: a head's CID and the DAG it belongs to. */
    public record Announced(Cid cid, String dagName) {
        public Announced {
            Objects.requireNonNull(cid, "cid");
            Objects.requireNonNull(dagName, "dagName");
        }

        int size() {
            return CodedOutputStream.computeByteArraySize(1, cid.toBytes())
                    + (dagName.isEmpty() ? 0 : CodedOutputStream.computeStringSize(2, dagName));
        }
    }

    /** The serialized message. */
    public byte[] toBytes() {
        int size = 0;
        for (Announced h : heads) {
            int s = h.size();
            size += CodedOutputStream.computeTagSize(1) + CodedOutputStream.computeUInt32SizeNoTag(s) + s;
        }
        for (byte[] b : blocks) size += CodedOutputStream.computeByteArraySize(15, b);
        return Wire.serialize(size, out -> {
            for (Announced h : heads) {
                out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(h.size());
                out.writeByteArray(1, h.cid().toBytes());
                if (!h.dagName().isEmpty()) out.writeString(2, h.dagName());
            }
            for (byte[] b : blocks) out.writeByteArray(15, b);
        });
    }

    /** Parses a CRDTBroadcast; heads without a CID and malformed input throw IAE. */
    public static CrdtBroadcast parse(byte[] bytes) {
        if (bytes.length > MAX_HEADS * 512) throw new IllegalArgumentException("CRDTBroadcast too large");
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        List<Announced> heads = new ArrayList<>();
        List<byte[]> blocks = new ArrayList<>();
        try {
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                if (tag == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    if (heads.size() == MAX_HEADS) throw new IllegalArgumentException("CRDTBroadcast: more than " + MAX_HEADS + " heads");
                    int len = in.readRawVarint32();
                    if (len < 0) throw new IllegalArgumentException("CRDTBroadcast: negative length");
                    int old = in.pushLimit(len);
                    Cid cid = null;
                    String dag = "";
                    while (!in.isAtEnd()) {
                        int t = in.readTag();
                        if (t == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) cid = Wire.readCid(in);
                        else if (t == ((2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) dag = Wire.readString(in, Delta.MAX_DAG_NAME, "dagName");
                        else Wire.skip(in, t);
                    }
                    in.popLimit(old);
                    if (cid == null) throw new IllegalArgumentException("CRDTBroadcast: head without cid");
                    heads.add(new Announced(cid, dag));
                } else if (tag == ((15 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    byte[] b = in.readByteArray();
                    if (b.length <= MAX_EAGER_BYTES && blocks.size() < MAX_EAGER_BLOCKS) blocks.add(b); // else: fetched with sync
                } else {
                    Wire.skip(in, tag);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("CRDTBroadcast: malformed protobuf: " + e.getMessage(), e);
        }
        return new CrdtBroadcast(heads, blocks);
    }
}
