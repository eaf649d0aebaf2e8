package io.warpstats.crdt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.warpstats.multiformats.Cid;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/** Hand-written proto3 encoding and decoding shared by the wire records (no protoc). */
final class Wire {
    static final byte[] EMPTY = new byte[0];
    /** Most repeated entries accepted in one message. */
    static final int MAX_REPEATED = 1 << 16;

    private Wire() {}

    interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] serialize(int size, Writer w) {
        byte[] out = new byte[size];
        CodedOutputStream cos = CodedOutputStream.newInstance(out);
        try {
            w.write(cos);
            cos.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("protobuf size miscomputed", e);
        }
        return out;
    }

    static String readString(CodedInputStream in, int max, String what) throws IOException {
        int len = in.readRawVarint32();
        if (len < 0 || len > max) throw new IllegalArgumentException(what + " longer than " + max + " bytes");
        byte[] b = in.readRawBytes(len);
        if (isAscii(b)) return new String(b, StandardCharsets.ISO_8859_1); // the common case, no decoder
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " is not valid UTF-8", e);
        }
    }

    private static boolean isAscii(byte[] b) {
        for (byte x : b) if (x < 0) return false;
        return true;
    }

    static byte[] readBytes(CodedInputStream in, int max, String what) throws IOException {
        int len = in.readRawVarint32();
        if (len < 0 || len > max) throw new IllegalArgumentException(what + " longer than " + max + " bytes");
        return in.readRawBytes(len);
    }

    static Cid readCid(CodedInputStream in) throws IOException {
        byte[] b = readBytes(in, 128, "cid");
        return Cid.fromBytes(b);
    }

    /** Skips an unknown field (proto3 forward compatibility); groups are rejected. */
    static void skip(CodedInputStream in, int tag) throws IOException {
        if (tag == 0) throw new IllegalArgumentException("invalid tag 0");
        int wt = WireFormat.getTagWireType(tag);
        if (wt == WireFormat.WIRETYPE_START_GROUP || wt == WireFormat.WIRETYPE_END_GROUP || wt > 5) {
            throw new IllegalArgumentException("unsupported wire type " + wt);
        }
        in.skipField(tag);
    }
}
