package io.warpstats.crdt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One block of a checkpoint: the wire record of {@code Delta} field 1004 (docs/crdt.md, "Compaction").
 * <pre>
 * message CheckpointPart {
 *   uint32 part                 = 1;   // 1-based index of this block in its checkpoint's chain
 *   uint32 parts                = 2;   // the chain's length
 *   repeated Restated restated  = 3;
 * }
 * message Restated { string key = 1; string id = 2; bytes value = 3; uint64 priority = 4; }
 * </pre>
 * A checkpoint restates, with their <em>original</em> element ids and priorities, the live elements its
 * author wrote in the blocks it covers; the part's delta carries, in its ordinary tombstone field, the
 * tombstones those blocks carried that are still held. Part {@code i} of {@code n} sits at height
 * {@code h + i - 1}, where {@code h} is the height of part 1; the checkpoint covers every block of
 * the same author and epoch below {@code h}.
 *
 * @param part     1-based position of this block in the chain
 * @param parts    the number of blocks of the checkpoint, 1 to {@link #MAX_PARTS}
 * @param restated restated elements of this part
 */
public record CheckpointPart(int part, int parts, List<Restated> restated) {
    /** Field number of the part inside {@code Delta}. */
    public static final int FIELD = 1004;
    /** Most blocks one checkpoint may span. */
    public static final int MAX_PARTS = 65_536;

    public CheckpointPart {
        if (parts < 1 || parts > MAX_PARTS || part < 1 || part > parts) {
            throw new IllegalArgumentException("checkpoint part " + part + " of " + parts);
        }
        restated = List.copyOf(restated);
    }

    /**
     * A live element as its author's checkpoint restates it: the element's own id (the block that first
     * carried it) and priority, so restating it is idempotent with that block and a tombstone naming
     * that id still removes it.
     */
    public record Restated(String key, String id, long priority, byte[] value) {
        public Restated {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(value, "value");
        }

        int serializedSize() {
            int s = 0;
            if (!key.isEmpty()) s += CodedOutputStream.computeStringSize(1, key);
            if (!id.isEmpty()) s += CodedOutputStream.computeStringSize(2, id);
            if (value.length > 0) s += CodedOutputStream.computeByteArraySize(3, value);
            if (priority != 0) s += CodedOutputStream.computeUInt64Size(4, priority);
            return s;
        }

        void writeTo(CodedOutputStream out) throws IOException {
            if (!key.isEmpty()) out.writeString(1, key);
            if (!id.isEmpty()) out.writeString(2, id);
            if (value.length > 0) out.writeByteArray(3, value);
            if (priority != 0) out.writeUInt64(4, priority);
        }

        static Restated read(CodedInputStream in) throws IOException {
            String key = "", id = "";
            byte[] value = Wire.EMPTY;
            long priority = 0;
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                switch (tag) {
                    case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> key = Wire.readString(in, Element.MAX_KEY_BYTES, "key");
                    case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> id = Wire.readString(in, Element.MAX_ID_BYTES, "id");
                    case (3 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> value = in.readByteArray();
                    case (4 << 3) | WireFormat.WIRETYPE_VARINT -> priority = in.readUInt64();
                    default -> Wire.skip(in, tag);
                }
            }
            if (key.isEmpty() || id.isEmpty()) throw new IllegalArgumentException("restated element without key or id");
            return new Restated(key, id, priority, value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Restated r && r.key.equals(key) && r.id.equals(id) && r.priority == priority
                    && Arrays.equals(r.value, value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, id, priority, Arrays.hashCode(value));
        }

        @Override
        public String toString() {
            return "Restated[key=" + key + ", id=" + id + ", priority=" + Long.toUnsignedString(priority)
                    + ", value=" + HexFormat.of().formatHex(value) + "]";
        }
    }

    int serializedSize() {
        int s = CodedOutputStream.computeUInt32Size(1, part) + CodedOutputStream.computeUInt32Size(2, parts);
        for (Restated r : restated) {
            int n = r.serializedSize();
            s += CodedOutputStream.computeTagSize(3) + CodedOutputStream.computeUInt32SizeNoTag(n) + n;
        }
        return s;
    }

    void writeTo(CodedOutputStream out) throws IOException {
        out.writeUInt32(1, part);
        out.writeUInt32(2, parts);
        for (Restated r : restated) {
            out.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(r.serializedSize());
            r.writeTo(out);
        }
    }

    /** Reads the embedded message (the caller pushed its length limit); {@code budget} bounds the entries. */
    static CheckpointPart read(CodedInputStream in, int budget) throws IOException {
        int part = 0, parts = 0;
        List<Restated> restated = new ArrayList<>();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == ((1 << 3) | WireFormat.WIRETYPE_VARINT)) part = in.readUInt32();
            else if (tag == ((2 << 3) | WireFormat.WIRETYPE_VARINT)) parts = in.readUInt32();
            else if (tag == ((3 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                if (restated.size() >= budget) throw new IllegalArgumentException("checkpoint: more than " + Wire.MAX_REPEATED + " entries");
                int len = in.readRawVarint32();
                if (len < 0) throw new IllegalArgumentException("checkpoint: negative length");
                int old = in.pushLimit(len);
                restated.add(Restated.read(in));
                in.popLimit(old);
            } else {
                Wire.skip(in, tag);
            }
        }
        return new CheckpointPart(part, parts, restated);
    }
}
