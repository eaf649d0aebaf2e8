package io.warpstats.crdt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The wire record {@code message Element { string key = 1; string id = 2; bytes value = 3; }} of
 * go-ds-crdt (proto3: empty fields are not written). In a delta on the wire the id is empty; once
 * merged, an element's id is the CID string of the block that carried it. In a tombstone the id
 * names the element removed and the value is empty.
 *
 * <p>Keys here are CRDT keys <em>without</em> the store namespace, e.g. {@code /incr/likes/tweet-1/12D3…}.
 */
public record Element(String key, String id, byte[] value) {
    /** Longest key accepted from the wire (bytes of UTF-8). */
    public static final int MAX_KEY_BYTES = 4096;
    /** Longest id accepted from the wire (a CID string is about 60 characters). */
    public static final int MAX_ID_BYTES = 256;

    public Element {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(value, "value");
    }

    /** An element as written in a new delta (empty id). */
    public static Element of(String key, byte[] value) {
        return new Element(key, "", value);
    }

    /** A tombstone naming element {@code id} of {@code key}. */
    public static Element tombstone(String key, String id) {
        return new Element(key, id, Wire.EMPTY);
    }

    int serializedSize() {
        int s = 0;
        if (!key.isEmpty()) s += CodedOutputStream.computeStringSize(1, key);
        if (!id.isEmpty()) s += CodedOutputStream.computeStringSize(2, id);
        if (value.length > 0) s += CodedOutputStream.computeByteArraySize(3, value);
        return s;
    }

    void writeTo(CodedOutputStream out) throws IOException {
        if (!key.isEmpty()) out.writeString(1, key);
        if (!id.isEmpty()) out.writeString(2, id);
        if (value.length > 0) out.writeByteArray(3, value);
    }

    /** The serialized message. */
    public byte[] toBytes() {
        return Wire.serialize(serializedSize(), this::writeTo);
    }

    /** Parses a serialized Element; unknown fields are skipped (proto3), malformed input throws IAE. */
    public static Element parse(byte[] bytes) {
        try {
            return read(CodedInputStream.newInstance(bytes));
        } catch (IOException e) {
            throw new IllegalArgumentException("Element: " + e.getMessage(), e);
        }
    }

    static Element read(CodedInputStream in) throws IOException {
        String key = "", id = "";
        byte[] value = Wire.EMPTY;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> key = Wire.readString(in, MAX_KEY_BYTES, "key");
                case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> id = Wire.readString(in, MAX_ID_BYTES, "id");
                case (3 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> value = in.readByteArray();
                default -> Wire.skip(in, tag);
            }
        }
        return new Element(key, id, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Element e && e.key.equals(key) && e.id.equals(id) && Arrays.equals(e.value, value);
    }

    @Override
    public int hashCode() {
        return (key.hashCode() * 31 + id.hashCode()) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Element[key=" + key + ", id=" + id + ", value=" + HexFormat.of().formatHex(value) + "]";
    }
}
