package io.warpstats.crdt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.Varint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The wire record of a delta, proto3, byte-exact with go-ds-crdt for fields 1–4:
 * <pre>
 * message Delta {
 *   repeated Element elements   = 1;
 *   repeated Element tombstones = 2;
 *   uint64 priority             = 3;
 *   string dagName              = 4;
 *   bytes  author               = 1001;  // warpstats: the author's id (a libp2p peer id's bytes)
 *   bytes  signature            = 1002;  // warpstats: signature over signingPayload(links)
 *   bytes  epoch                = 1003;  // warpstats: the writing store's life (random, 8 bytes)
 *   CheckpointPart checkpoint   = 1004;  // warpstats: set on the blocks of a checkpoint (null: none)
 * }
 * </pre>
 * Fields 1001–1004 are far beyond the numbers go-ds-crdt uses (1–4), so go-ds-crdt readers skip
 * them and our readers accept unsigned go-ds-crdt deltas (if the configuration allows). The epoch
 * and the checkpoint are inside the signed payload. An author's blocks of one epoch form a causal
 * chain of rising heights: what a checkpoint covers (docs/crdt.md, "Compaction").
 *
 * <p>{@code priority} is a uint64: Java's {@code long} holds its bits; compare with
 * {@link Long#compareUnsigned}. Heights in this engine never come near 2<sup>63</sup>.
 */
public record Delta(List<Element> elements, List<Element> tombstones, long priority, String dagName,
                    byte[] author, byte[] signature, byte[] epoch, CheckpointPart checkpoint) {
    public static final int FIELD_AUTHOR = 1001;
    public static final int FIELD_SIGNATURE = 1002;
    public static final int FIELD_EPOCH = 1003;
    /** Longest epoch accepted. */
    public static final int MAX_EPOCH = 32;
    /** Longest author id accepted. */
    public static final int MAX_AUTHOR = 256;
    /** Longest signature accepted. */
    public static final int MAX_SIGNATURE = 1024;
    /** Longest dag name accepted. */
    public static final int MAX_DAG_NAME = 256;
    private static final byte[] SIGNING_DOMAIN = "warpstats/delta-signature/v1\n".getBytes(StandardCharsets.US_ASCII);

    public Delta {
        elements = List.copyOf(elements);
        tombstones = List.copyOf(tombstones);
        Objects.requireNonNull(dagName, "dagName");
        author = author == null ? Wire.EMPTY : author;
        signature = signature == null ? Wire.EMPTY : signature;
        epoch = epoch == null ? Wire.EMPTY : epoch;
    }

    /** A delta without epoch and checkpoint. */
    public Delta(List<Element> elements, List<Element> tombstones, long priority, String dagName, byte[] author, byte[] signature) {
        this(elements, tombstones, priority, dagName, author, signature, Wire.EMPTY, null);
    }

    /** An unsigned delta (the go-ds-crdt form). */
    public Delta(List<Element> elements, List<Element> tombstones, long priority, String dagName) {
        this(elements, tombstones, priority, dagName, Wire.EMPTY, Wire.EMPTY);
    }

    /** True if author or signature is set. */
    public boolean isSigned() {
        return author.length > 0 || signature.length > 0;
    }

    /** This delta with {@code author} and {@code signature} set. */
    public Delta withSignature(byte[] author, byte[] signature) {
        return new Delta(elements, tombstones, priority, dagName, author, signature, epoch, checkpoint);
    }

    /** Whether this delta is a block of a checkpoint. */
    public boolean isCheckpoint() {
        return checkpoint != null;
    }

    private int size(boolean withSignature) {
        int s = 0;
        for (Element e : elements) s += embedded(1, e.serializedSize());
        for (Element e : tombstones) s += embedded(2, e.serializedSize());
        if (priority != 0) s += CodedOutputStream.computeUInt64Size(3, priority);
        if (!dagName.isEmpty()) s += CodedOutputStream.computeStringSize(4, dagName);
        if (author.length > 0) s += CodedOutputStream.computeByteArraySize(FIELD_AUTHOR, author);
        if (withSignature && signature.length > 0) s += CodedOutputStream.computeByteArraySize(FIELD_SIGNATURE, signature);
        if (epoch.length > 0) s += CodedOutputStream.computeByteArraySize(FIELD_EPOCH, epoch);
        if (checkpoint != null) s += embedded(CheckpointPart.FIELD, checkpoint.serializedSize());
        return s;
    }

    private static int embedded(int field, int size) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }

    private void write(CodedOutputStream out, boolean withSignature) throws IOException {
        for (Element e : elements) writeElement(out, 1, e);
        for (Element e : tombstones) writeElement(out, 2, e);
        if (priority != 0) out.writeUInt64(3, priority);
        if (!dagName.isEmpty()) out.writeString(4, dagName);
        if (author.length > 0) out.writeByteArray(FIELD_AUTHOR, author);
        if (withSignature && signature.length > 0) out.writeByteArray(FIELD_SIGNATURE, signature);
        if (epoch.length > 0) out.writeByteArray(FIELD_EPOCH, epoch);
        if (checkpoint != null) {
            out.writeTag(CheckpointPart.FIELD, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(checkpoint.serializedSize());
            checkpoint.writeTo(out);
        }
    }

    private static void writeElement(CodedOutputStream out, int field, Element e) throws IOException {
        out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(e.serializedSize());
        e.writeTo(out);
    }

    /** The serialized message (fields in number order, proto3 defaults omitted, as protoc-gen-go writes). */
    public byte[] toBytes() {
        return Wire.serialize(size(true), out -> write(out, true));
    }

    /**
     * The bytes a signature covers: a domain string, the block's links (count, then each CID
     * length-prefixed, in order) and this delta serialized without its signature field. Covering
     * the links binds the delta to its block: a relayer cannot re-wrap a signed delta in a new
     * block (with a new CID, thus new element ids) to resurrect elements the author deleted.
     */
    public byte[] signingPayload(List<Cid> links) {
        return signingPayload(links, unsignedBytes());
    }

    /** This delta serialized without its signature field. */
    private byte[] unsignedBytes() {
        return Wire.serialize(size(false), o -> write(o, false));
    }

    /** {@link #signingPayload(List)} around this delta's serialized form without the signature field. */
    private static byte[] signingPayload(List<Cid> links, byte[] unsigned) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(unsigned.length + SIGNING_DOMAIN.length + 8 + links.size() * 40);
        out.writeBytes(SIGNING_DOMAIN);
        out.writeBytes(Varint.encode(links.size()));
        for (Cid c : links) {
            out.writeBytes(Varint.encode(c.length()));
            out.writeBytes(c.toBytes());
        }
        out.writeBytes(unsigned);
        return out.toByteArray();
    }

    /** A signed delta and its serialized form ({@link #toBytes()} of {@code delta}). */
    record Signed(Delta delta, byte[] bytes) {}

    /**
     * This delta signed by {@code signer} for a block with {@code links}, serialized once: the same delta and bytes
     * as {@code d = withSignature(author, EMPTY); d.withSignature(author, signer.sign(d.signingPayload(links)))} and
     * its {@link #toBytes()}, {@code author} being {@code signer.authorId()}. The signed form is the unsigned one (the
     * payload's last part) with the signature field spliced in after the author, so fields stay in number order.
     */
    Signed sign(DeltaSigner signer, List<Cid> links) {
        byte[] author = signer.authorId();
        Delta d = withSignature(author, Wire.EMPTY);
        byte[] unsigned = d.unsignedBytes();
        int size = unsigned.length;
        byte[] signature = signer.sign(signingPayload(links, unsigned));
        int tail = (epoch.length > 0 ? CodedOutputStream.computeByteArraySize(FIELD_EPOCH, epoch) : 0)
                + (checkpoint != null ? embedded(CheckpointPart.FIELD, checkpoint.serializedSize()) : 0);
        int head = size - tail;
        int field = signature.length > 0 ? CodedOutputStream.computeByteArraySize(FIELD_SIGNATURE, signature) : 0;
        byte[] out = new byte[size + field];
        System.arraycopy(unsigned, 0, out, 0, head);
        if (field > 0) {
            CodedOutputStream cos = CodedOutputStream.newInstance(out, head, field);
            try {
                cos.writeByteArray(FIELD_SIGNATURE, signature);
                cos.checkNoSpaceLeft();
            } catch (IOException e) {
                throw new IllegalStateException("protobuf size miscomputed", e);
            }
        }
        System.arraycopy(unsigned, head, out, head + field, tail);
        return new Signed(d.withSignature(author, signature), out);
    }

    /** Parses a serialized Delta; unknown fields are skipped; malformed or oversized input throws IAE. */
    public static Delta parse(byte[] bytes) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        List<Element> elements = new ArrayList<>();
        List<Element> tombstones = new ArrayList<>();
        long priority = 0;
        String dagName = "";
        byte[] author = Wire.EMPTY, signature = Wire.EMPTY, epoch = Wire.EMPTY;
        CheckpointPart checkpoint = null;
        try {
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                if (tag == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)
                        || tag == ((2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    List<Element> target = (tag >>> 3) == 1 ? elements : tombstones;
                    if (elements.size() + tombstones.size() >= Wire.MAX_REPEATED) {
                        throw new IllegalArgumentException("Delta: more than " + Wire.MAX_REPEATED + " elements");
                    }
                    int len = in.readRawVarint32();
                    if (len < 0) throw new IllegalArgumentException("Delta: negative length");
                    int old = in.pushLimit(len);
                    target.add(Element.read(in));
                    in.popLimit(old);
                } else if (tag == ((3 << 3) | WireFormat.WIRETYPE_VARINT)) {
                    priority = in.readUInt64();
                } else if (tag == ((4 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    dagName = Wire.readString(in, MAX_DAG_NAME, "dagName");
                } else if (tag == ((FIELD_AUTHOR << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    author = Wire.readBytes(in, MAX_AUTHOR, "author");
                } else if (tag == ((FIELD_SIGNATURE << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    signature = Wire.readBytes(in, MAX_SIGNATURE, "signature");
                } else if (tag == ((FIELD_EPOCH << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    epoch = Wire.readBytes(in, MAX_EPOCH, "epoch");
                } else if (tag == ((CheckpointPart.FIELD << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    if (checkpoint != null) throw new IllegalArgumentException("Delta: two checkpoint parts");
                    int len = in.readRawVarint32();
                    if (len < 0) throw new IllegalArgumentException("Delta: negative length");
                    int old = in.pushLimit(len);
                    checkpoint = CheckpointPart.read(in, Wire.MAX_REPEATED - elements.size() - tombstones.size());
                    in.popLimit(old);
                } else {
                    Wire.skip(in, tag);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Delta: malformed protobuf: " + e.getMessage(), e);
        }
        if (checkpoint != null && elements.size() + tombstones.size() + checkpoint.restated().size() > Wire.MAX_REPEATED) {
            throw new IllegalArgumentException("Delta: more than " + Wire.MAX_REPEATED + " elements");
        }
        return new Delta(elements, tombstones, priority, dagName, author, signature, epoch, checkpoint);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Delta d && d.priority == priority && d.dagName.equals(dagName)
                && d.elements.equals(elements) && d.tombstones.equals(tombstones)
                && Arrays.equals(d.author, author) && Arrays.equals(d.signature, signature)
                && Arrays.equals(d.epoch, epoch) && Objects.equals(d.checkpoint, checkpoint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(elements, tombstones, priority, dagName, Arrays.hashCode(author), Arrays.hashCode(signature),
                Arrays.hashCode(epoch), checkpoint);
    }

    @Override
    public String toString() {
        return "Delta[priority=" + Long.toUnsignedString(priority) + ", dagName=" + dagName + ", elements=" + elements
                + ", tombstones=" + tombstones + ", signed=" + isSigned()
                + (checkpoint == null ? "" : ", checkpoint=" + checkpoint) + "]";
    }
}
