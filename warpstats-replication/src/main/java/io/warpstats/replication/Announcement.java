package io.warpstats.replication;

import com.github.luben.zstd.Zstd;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.warpstats.crdt.CrdtBroadcast;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a head announcement on the pubsub topic: go-ds-crdt's {@code CRDTBroadcast}, whose
 * eagerly pushed blocks (field 15, ours) are zstd-compressed when that makes the message smaller:
 * {@code bytes pushed_zstd = 16; uint32 pushed_raw_size = 17;}, where {@code pushed_zstd} is one zstd
 * frame of a {@code CRDTBroadcast} holding only field-15 blocks. go-ds-crdt readers skip fields 15–17
 * and read the heads. Every announcement gossipsub carries costs its bytes once per link it crosses
 * (about 16 times in a 5-node full mesh), so its size is what the wire pays per flush at low rates;
 * counter-slot blocks repeat the author's peer id and the key prefixes and shrink to a fifth or less.
 *
 * <p>Decoding is bounded: {@code pushed_raw_size} at most {@link #MAX_RAW_PUSH} (the most that
 * {@link CrdtBroadcast#MAX_EAGER_BLOCKS} blocks of {@link CrdtBroadcast#MAX_EAGER_BYTES} take), zstd data
 * that does not inflate to exactly that size, a second compressed field or a malformed message throw
 * {@link IllegalArgumentException} (the topic validator rejects the message: gossipsub's P4 penalty).
 */
final class Announcement {
    /** Largest inflated push: {@code MAX_EAGER_BLOCKS} field-15 entries of {@code MAX_EAGER_BYTES}. */
    static final int MAX_RAW_PUSH = CrdtBroadcast.MAX_EAGER_BLOCKS * (CrdtBroadcast.MAX_EAGER_BYTES + 4);
    private static final int LEVEL = 3;
    private static final int ZSTD_TAG = (16 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int RAW_SIZE_TAG = (17 << 3) | WireFormat.WIRETYPE_VARINT;

    private Announcement() {}

    /** The message of {@code heads} with {@code blocks} pushed: compressed when smaller. */
    static byte[] encode(List<CrdtBroadcast.Announced> heads, List<byte[]> blocks) {
        byte[] plain = new CrdtBroadcast(heads, blocks).toBytes();
        if (blocks.isEmpty()) return plain;
        byte[] pushed = new CrdtBroadcast(List.of(), blocks).toBytes();
        byte[] z = Zstd.compress(pushed, LEVEL);
        byte[] headsOnly = new CrdtBroadcast(heads).toBytes();
        int size = headsOnly.length + CodedOutputStream.computeByteArraySize(16, z)
                + CodedOutputStream.computeUInt32Size(17, pushed.length);
        if (size >= plain.length) return plain;
        ByteArrayOutputStream buf = new ByteArrayOutputStream(size);
        buf.writeBytes(headsOnly);
        CodedOutputStream out = CodedOutputStream.newInstance(buf, 64);
        try {
            out.writeByteArray(16, z);
            out.writeUInt32(17, pushed.length);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    /** Parses an announcement (plain or with a compressed push); malformed input throws IAE. */
    static CrdtBroadcast decode(byte[] bytes) {
        CrdtBroadcast parsed = CrdtBroadcast.parse(bytes); // heads and plain blocks; skips 16 and 17
        byte[] z = null;
        long rawSize = -1;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                if (tag == ZSTD_TAG) {
                    if (z != null) throw new IllegalArgumentException("announcement: two compressed pushes");
                    z = in.readByteArray();
                } else if (tag == RAW_SIZE_TAG) {
                    rawSize = in.readUInt32() & 0xffffffffL;
                } else if (!in.skipField(tag)) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("announcement: malformed protobuf: " + e.getMessage(), e);
        }
        if (z == null) return parsed;
        if (rawSize < 0 || rawSize > MAX_RAW_PUSH) throw new IllegalArgumentException("announcement: push raw size " + rawSize);
        byte[] plain;
        try {
            plain = Zstd.decompress(z, (int) rawSize);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("announcement: bad zstd data: " + e.getMessage(), e);
        }
        if (plain.length != rawSize) throw new IllegalArgumentException("announcement: push is not raw size bytes");
        CrdtBroadcast pushed = CrdtBroadcast.parse(plain);
        if (!pushed.heads().isEmpty()) throw new IllegalArgumentException("announcement: heads inside the push");
        List<byte[]> blocks = new ArrayList<>(parsed.blocks());
        for (byte[] b : pushed.blocks()) if (blocks.size() < CrdtBroadcast.MAX_EAGER_BLOCKS) blocks.add(b);
        return new CrdtBroadcast(parsed.heads(), blocks);
    }
}
