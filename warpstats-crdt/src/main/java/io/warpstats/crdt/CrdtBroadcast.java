package io.warpstats.crdt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.warpstats.crdt.ipld.Cid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The announcement of heads, byte-exact with go-ds-crdt:
 * {@code message CRDTBroadcast { repeated Head heads = 1; }}
 * {@code message Head { bytes cid = 1; string dagName = 2; }}.
 */
public record CrdtBroadcast(List<Announced> heads) {
    /** Most heads accepted in one announcement. */
    public static final int MAX_HEADS = 1024;

    public CrdtBroadcast {
        heads = List.copyOf(heads);
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
        return Wire.serialize(size, out -> {
            for (Announced h : heads) {
                out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(h.size());
                out.writeByteArray(1, h.cid().toBytes());
                if (!h.dagName().isEmpty()) out.writeString(2, h.dagName());
            }
        });
    }

    /** Parses a CRDTBroadcast; heads without a CID and malformed input throw IAE. */
    public static CrdtBroadcast parse(byte[] bytes) {
        if (bytes.length > MAX_HEADS * 512) throw new IllegalArgumentException("CRDTBroadcast too large");
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        List<Announced> heads = new ArrayList<>();
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
                } else {
                    Wire.skip(in, tag);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("CRDTBroadcast: malformed protobuf: " + e.getMessage(), e);
        }
        return new CrdtBroadcast(heads);
    }
}
