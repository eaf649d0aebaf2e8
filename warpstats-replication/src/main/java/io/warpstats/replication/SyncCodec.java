package io.warpstats.replication;

import com.github.luben.zstd.Zstd;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.warpstats.multiformats.Cid;
import io.warpstats.replication.SyncMessage.Blocks;
import io.warpstats.replication.SyncMessage.Branch;
import io.warpstats.replication.SyncMessage.Code;
import io.warpstats.replication.SyncMessage.Get;
import io.warpstats.replication.SyncMessage.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written protobuf codec of {@link SyncMessage} frames (no protoc):
 * <pre>
 * message Frame   { oneof body { Get get = 1; Branch branch = 2; Blocks blocks = 3; Status status = 4; } }
 * message Get     { repeated bytes cids = 1; }
 * message Branch  { repeated bytes heads = 1; repeated bytes have = 2; uint32 max_blocks = 3; }
 * message Blocks  { repeated bytes block = 1; bytes zstd = 2; uint32 raw_size = 3; }
 * message Status  { uint32 code = 1; repeated bytes continuation = 2; repeated bytes missing = 3; string reason = 4;
 *                   repeated bytes pruned = 5; }
 * </pre>
 * A compressed {@code Blocks} carries, in {@code zstd}, one zstd frame of a {@code Blocks} holding only
 * field 1, {@code raw_size} bytes long. Decoding is bounded by {@link Limits} and fails only with
 * {@link MalformedFrameException}; unknown fields are skipped.
 */
final class SyncCodec {
    private static final int MAX_CID = 128;
    private static final int MAX_REASON = 1024;

    /** Bounds of decoding: frame bytes (also after decompression), CIDs per list, blocks per frame. */
    record Limits(int maxFrameBytes, int maxCids, int maxBlocks) {
        static Limits of(SyncParams p) {
            return new Limits(p.maxFrameBytes(), Math.max(p.maxCidsPerRequest(), p.maxHave()), p.blockBudget());
        }
    }

    private SyncCodec() {}

    // ------------------------------------------------------------------ encode

    /** Encodes a frame; a {@link Blocks} of at least {@code compressMinBytes} (≥ 0) is compressed if that pays. */
    static byte[] encode(SyncMessage m, int compressMinBytes, int level) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        if (m instanceof Get g) {
            write(buf, out -> writeCids(out, 1, g.cids()));
            return frame(1, buf.toByteArray());
        }
        if (m instanceof Branch b) {
            write(buf, out -> {
                writeCids(out, 1, b.heads());
                writeCids(out, 2, b.have());
                if (b.maxBlocks() != 0) out.writeUInt32(3, b.maxBlocks());
            });
            return frame(2, buf.toByteArray());
        }
        if (m instanceof Blocks b) return frame(3, blocks(b, compressMinBytes, level));
        Status s = (Status) m;
        write(buf, out -> {
            if (s.code().wire != 0) out.writeUInt32(1, s.code().wire);
            writeCids(out, 2, s.continuation());
            writeCids(out, 3, s.missing());
            if (!s.reason().isEmpty()) out.writeString(4, s.reason());
            writeCids(out, 5, s.pruned());
        });
        return frame(4, buf.toByteArray());
    }

    /** Encodes without compression. */
    static byte[] encode(SyncMessage m) {
        return encode(m, -1, 0);
    }

    private static byte[] blocks(Blocks b, int compressMinBytes, int level) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        write(raw, out -> {
            for (int i = 0; i < b.size(); i++) out.writeByteArray(1, b.blockAt(i));
        });
        byte[] plain = raw.toByteArray();
        if (compressMinBytes < 0 || plain.length < compressMinBytes) return plain;
        byte[] z = Zstd.compress(plain, level);
        if (z.length + 8 >= plain.length) return plain;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        write(buf, out -> {
            out.writeByteArray(2, z);
            out.writeUInt32(3, plain.length);
        });
        return buf.toByteArray();
    }

    private static void writeCids(CodedOutputStream out, int field, List<Cid> cids) throws IOException {
        for (Cid c : cids) out.writeByteArray(field, c.toBytes());
    }

    private static byte[] frame(int field, byte[] body) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(body.length + 8);
        write(buf, out -> out.writeByteArray(field, body));
        return buf.toByteArray();
    }

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private static void write(ByteArrayOutputStream buf, Writer w) {
        CodedOutputStream out = CodedOutputStream.newInstance(buf);
        try {
            w.write(out);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
        }
    }

    // ------------------------------------------------------------------ decode

    /** Decodes one frame. */
    static SyncMessage decode(byte[] frame, Limits limits) {
        if (frame.length > limits.maxFrameBytes()) throw new MalformedFrameException("frame larger than " + limits.maxFrameBytes());
        try {
            CodedInputStream in = CodedInputStream.newInstance(frame);
            SyncMessage result = null;
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                int field = WireFormat.getTagFieldNumber(tag);
                if (field >= 1 && field <= 4 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    if (result != null) throw new MalformedFrameException("more than one body in a frame");
                    byte[] body = in.readByteArray();
                    result = switch (field) {
                        case 1 -> decodeGet(body, limits);
                        case 2 -> decodeBranch(body, limits);
                        case 3 -> decodeBlocks(body, limits, true);
                        default -> decodeStatus(body, limits);
                    };
                } else {
                    skip(in, tag);
                }
            }
            if (result == null) throw new MalformedFrameException("empty frame");
            return result;
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            if (e instanceof MalformedFrameException m) throw m;
            throw new MalformedFrameException("malformed frame: " + e.getMessage(), e);
        }
    }

    private static Get decodeGet(byte[] body, Limits limits) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(body);
        List<Cid> cids = new ArrayList<>();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == lengthDelimited(1)) add(cids, readCid(in), limits, "cids");
            else skip(in, tag);
        }
        return new Get(cids);
    }

    private static Branch decodeBranch(byte[] body, Limits limits) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(body);
        List<Cid> heads = new ArrayList<>();
        List<Cid> have = new ArrayList<>();
        int max = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == lengthDelimited(1)) add(heads, readCid(in), limits, "heads");
            else if (tag == lengthDelimited(2)) add(have, readCid(in), limits, "have");
            else if (tag == varint(3)) max = in.readUInt32();
            else skip(in, tag);
        }
        if (max < 0) throw new MalformedFrameException("negative maxBlocks");
        return new Branch(heads, have, max);
    }

    private static Blocks decodeBlocks(byte[] body, Limits limits, boolean mayBeCompressed) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(body);
        in.setSizeLimit(Integer.MAX_VALUE);
        List<byte[]> blocks = new ArrayList<>();
        byte[] zstd = null;
        long rawSize = -1;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == lengthDelimited(1)) {
                if (blocks.size() >= limits.maxBlocks()) throw new MalformedFrameException("more than " + limits.maxBlocks() + " blocks in a frame");
                blocks.add(in.readByteArray());
            } else if (tag == lengthDelimited(2) && mayBeCompressed) {
                zstd = in.readByteArray();
            } else if (tag == varint(3) && mayBeCompressed) {
                rawSize = Integer.toUnsignedLong(in.readUInt32());
            } else {
                skip(in, tag);
            }
        }
        if (zstd == null) return new Blocks(blocks);
        if (!blocks.isEmpty()) throw new MalformedFrameException("both plain and compressed blocks");
        if (rawSize < 0 || rawSize > limits.maxFrameBytes()) throw new MalformedFrameException("bad raw_size " + rawSize);
        byte[] plain;
        try {
            plain = Zstd.decompress(zstd, (int) rawSize);
        } catch (RuntimeException e) {
            throw new MalformedFrameException("bad zstd data: " + e.getMessage(), e);
        }
        if (plain.length != rawSize) throw new MalformedFrameException("zstd data is not raw_size bytes");
        return decodeBlocks(plain, limits, false);
    }

    private static Status decodeStatus(byte[] body, Limits limits) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(body);
        int code = 0;
        List<Cid> continuation = new ArrayList<>();
        List<Cid> missing = new ArrayList<>();
        List<Cid> pruned = new ArrayList<>();
        String reason = "";
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (tag == varint(1)) code = in.readUInt32();
            else if (tag == lengthDelimited(2)) add(continuation, readCid(in), limits, "continuation");
            else if (tag == lengthDelimited(3)) add(missing, readCid(in), limits, "missing");
            else if (tag == lengthDelimited(4)) reason = readString(in, MAX_REASON);
            else if (tag == lengthDelimited(5)) add(pruned, readCid(in), limits, "pruned");
            else skip(in, tag);
        }
        return new Status(Code.of(code), continuation, missing, reason, pruned);
    }

    private static void add(List<Cid> list, Cid c, Limits limits, String what) {
        if (list.size() >= limits.maxCids()) throw new MalformedFrameException("more than " + limits.maxCids() + " " + what);
        list.add(c);
    }

    private static Cid readCid(CodedInputStream in) throws IOException {
        int len = in.readRawVarint32();
        if (len < 0 || len > MAX_CID) throw new MalformedFrameException("cid longer than " + MAX_CID);
        return Cid.fromBytes(in.readRawBytes(len));
    }

    private static String readString(CodedInputStream in, int max) throws IOException {
        int len = in.readRawVarint32();
        if (len < 0 || len > max) throw new MalformedFrameException("string longer than " + max);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(in.readRawBytes(len))).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedFrameException("invalid UTF-8", e);
        }
    }

    private static void skip(CodedInputStream in, int tag) throws IOException {
        int type = WireFormat.getTagWireType(tag);
        if (WireFormat.getTagFieldNumber(tag) == 0 || type == WireFormat.WIRETYPE_START_GROUP
                || type == WireFormat.WIRETYPE_END_GROUP || type > WireFormat.WIRETYPE_FIXED32) {
            throw new MalformedFrameException("invalid tag " + tag);
        }
        in.skipField(tag);
    }

    private static int lengthDelimited(int field) { return (field << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED; }

    private static int varint(int field) { return (field << 3) | WireFormat.WIRETYPE_VARINT; }
}
