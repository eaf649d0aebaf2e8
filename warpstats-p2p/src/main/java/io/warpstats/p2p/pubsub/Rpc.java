package io.warpstats.p2p.pubsub;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The pubsub RPC of libp2p (floodsub and gossipsub share it), as immutable records. Field
 * numbers follow {@code rpc.proto} of libp2p/specs:
 * {@code RPC{subscriptions=1, publish=2, control=3}}. {@link #encode()} writes fields in tag
 * order; decoding is done by {@link RpcCodec}, bounded by {@link RpcCodec.Limits}.
 *
 * @param subscriptions subscription changes announced by the sender
 * @param publish       messages carried by this RPC
 * @param control       gossipsub control messages, or {@code null} when absent
 */
public record Rpc(List<SubOpts> subscriptions, List<Message> publish, @Nullable ControlMessage control) {

    public Rpc {
        subscriptions = List.copyOf(subscriptions);
        publish = List.copyOf(publish);
    }

    /** An RPC with nothing in it. */
    public static Rpc empty() { return new Rpc(List.of(), List.of(), null); }

    public static Rpc ofSubscriptions(List<SubOpts> subs) { return new Rpc(subs, List.of(), null); }

    public static Rpc ofMessages(List<Message> msgs) { return new Rpc(List.of(), msgs, null); }

    public static Rpc ofControl(ControlMessage control) { return new Rpc(List.of(), List.of(), control); }

    /** True when there is nothing to send. */
    public boolean isEmpty() {
        return subscriptions.isEmpty() && publish.isEmpty() && (control == null || control.isEmpty());
    }

    /** The protobuf encoding. */
    public byte[] encode() {
        Pb pb = new Pb();
        for (SubOpts s : subscriptions) pb.message(1, s.encode());
        for (Message m : publish) pb.message(2, m.encode());
        if (control != null) pb.message(3, control.encode());
        return pb.toByteArray();
    }

    /** {@code SubOpts{subscribe=1, topicid=2}}. */
    public record SubOpts(boolean subscribe, String topicId) {
        public SubOpts { Objects.requireNonNull(topicId, "topicId"); }

        byte[] encode() { return new Pb().bool(1, subscribe).string(2, topicId).toByteArray(); }
    }

    /**
     * {@code Message{from=1, data=2, seqno=3, topic=4, signature=5, key=6}}. Optional fields are
     * {@code null} when absent (presence matters: the signature covers the fields as sent).
     */
    public record Message(byte @Nullable [] from, byte @Nullable [] data, byte @Nullable [] seqno, @Nullable String topic,
                          byte @Nullable [] signature, byte @Nullable [] key) {
        public Message {
            from = copy(from);
            data = copy(data);
            seqno = copy(seqno);
            signature = copy(signature);
            key = copy(key);
        }

        @Override public byte @Nullable [] from() { return copy(from); }
        @Override public byte @Nullable [] data() { return copy(data); }
        @Override public byte @Nullable [] seqno() { return copy(seqno); }
        @Override public byte @Nullable [] signature() { return copy(signature); }
        @Override public byte @Nullable [] key() { return copy(key); }

        /** The data, or an empty array when absent. */
        public byte[] dataOrEmpty() { return data == null ? new byte[0] : data.clone(); }

        int dataLength() { return data == null ? 0 : data.length; }

        /** The encoding; with {@code withSignature == false} signature and key are left out (the signed form). */
        byte[] encode(boolean withSignature) {
            Pb pb = new Pb().bytes(1, from).bytes(2, data).bytes(3, seqno).string(4, topic);
            if (withSignature) pb.bytes(5, signature).bytes(6, key);
            return pb.toByteArray();
        }

        byte[] encode() { return encode(true); }

        /** The same message with the given signature and key. */
        Message withSignature(byte @Nullable [] sig, byte @Nullable [] k) { return new Message(from, data, seqno, topic, sig, k); }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Message m && Arrays.equals(from, m.from) && Arrays.equals(data, m.data)
                    && Arrays.equals(seqno, m.seqno) && Objects.equals(topic, m.topic)
                    && Arrays.equals(signature, m.signature) && Arrays.equals(key, m.key);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(from), Arrays.hashCode(data), Arrays.hashCode(seqno), topic,
                    Arrays.hashCode(signature), Arrays.hashCode(key));
        }

        @Override
        public String toString() {
            return "Message[topic=" + topic + ", data=" + dataLength() + " bytes, seqno="
                    + (seqno == null ? "-" : java.util.HexFormat.of().formatHex(seqno)) + "]";
        }

        private static byte @Nullable [] copy(byte @Nullable [] b) { return b == null ? null : b.clone(); }
    }

    /** {@code ControlMessage{ihave=1, iwant=2, graft=3, prune=4, idontwant=5}} (field 5: gossipsub v1.2). */
    public record ControlMessage(List<ControlIHave> ihave, List<ControlIWant> iwant,
                                 List<ControlGraft> graft, List<ControlPrune> prune, List<ControlIDontWant> idontwant) {
        public ControlMessage {
            ihave = List.copyOf(ihave);
            iwant = List.copyOf(iwant);
            graft = List.copyOf(graft);
            prune = List.copyOf(prune);
            idontwant = List.copyOf(idontwant);
        }

        /** A control message of gossipsub v1.0/v1.1 (no IDONTWANT). */
        public ControlMessage(List<ControlIHave> ihave, List<ControlIWant> iwant, List<ControlGraft> graft, List<ControlPrune> prune) {
            this(ihave, iwant, graft, prune, List.of());
        }

        public boolean isEmpty() {
            return ihave.isEmpty() && iwant.isEmpty() && graft.isEmpty() && prune.isEmpty() && idontwant.isEmpty();
        }

        byte[] encode() {
            Pb pb = new Pb();
            for (ControlIHave x : ihave) pb.message(1, x.encode());
            for (ControlIWant x : iwant) pb.message(2, x.encode());
            for (ControlGraft x : graft) pb.message(3, x.encode());
            for (ControlPrune x : prune) pb.message(4, x.encode());
            for (ControlIDontWant x : idontwant) pb.message(5, x.encode());
            return pb.toByteArray();
        }
    }

    /**
     * {@code ControlIDontWant{messageIDs=1}} (gossipsub v1.2): the sender already has these messages;
     * a receiver does not forward them to it.
     */
    public record ControlIDontWant(List<MessageId> messageIds) {
        public ControlIDontWant { messageIds = List.copyOf(messageIds); }

        /** The same shape as IWANT: {@code repeated bytes messageIDs = 1}. */
        byte[] encode() { return new ControlIWant(messageIds).encode(); }
    }

    /** {@code ControlIHave{topicID=1, messageIDs=2}}: the sender has these messages of the topic. */
    public record ControlIHave(String topicId, List<MessageId> messageIds) {
        public ControlIHave { messageIds = List.copyOf(messageIds); }

        byte[] encode() {
            Pb pb = new Pb().string(1, topicId);
            for (MessageId id : messageIds) pb.bytes(2, id.unsafeBytes());
            return pb.toByteArray();
        }
    }

    /** {@code ControlIWant{messageIDs=1}}: the sender asks for these messages. */
    public record ControlIWant(List<MessageId> messageIds) {
        public ControlIWant { messageIds = List.copyOf(messageIds); }

        byte[] encode() {
            Pb pb = new Pb();
            for (MessageId id : messageIds) pb.bytes(1, id.unsafeBytes());
            return pb.toByteArray();
        }
    }

    /** {@code ControlGraft{topicID=1}}: the sender added the receiver to its mesh of the topic. */
    public record ControlGraft(String topicId) {
        byte[] encode() { return new Pb().string(1, topicId).toByteArray(); }
    }

    /**
     * {@code ControlPrune{topicID=1, peers=2, backoff=3}}: the sender removed the receiver from
     * its mesh; {@code backoff} in seconds, {@code null} when absent (v1.0 peers).
     */
    public record ControlPrune(String topicId, List<PeerInfo> peers, @Nullable Long backoff) {
        public ControlPrune { peers = List.copyOf(peers); }

        byte[] encode() {
            Pb pb = new Pb().string(1, topicId);
            for (PeerInfo p : peers) pb.message(2, p.encode());
            if (backoff != null) pb.uint64(3, backoff);
            return pb.toByteArray();
        }
    }

    /** {@code PeerInfo{peerID=1, signedPeerRecord=2}} (peer exchange in PRUNE). */
    public record PeerInfo(byte @Nullable [] peerId, byte @Nullable [] signedPeerRecord) {
        public PeerInfo {
            peerId = peerId == null ? null : peerId.clone();
            signedPeerRecord = signedPeerRecord == null ? null : signedPeerRecord.clone();
        }

        @Override public byte @Nullable [] peerId() { return peerId == null ? null : peerId.clone(); }
        @Override public byte @Nullable [] signedPeerRecord() { return signedPeerRecord == null ? null : signedPeerRecord.clone(); }

        byte[] encode() { return new Pb().bytes(1, peerId).bytes(2, signedPeerRecord).toByteArray(); }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof PeerInfo p && Arrays.equals(peerId, p.peerId) && Arrays.equals(signedPeerRecord, p.signedPeerRecord);
        }

        @Override
        public int hashCode() { return 31 * Arrays.hashCode(peerId) + Arrays.hashCode(signedPeerRecord); }
    }

    /** A tiny protobuf writer: absent ({@code null}) fields are skipped, present ones written in call order. */
    static final class Pb {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        private final CodedOutputStream out = CodedOutputStream.newInstance(buf, 256);

        Pb bytes(int field, byte @Nullable [] value) {
            if (value != null) {
                try { out.writeByteArray(field, value); } catch (IOException e) { throw new UncheckedIOException(e); }
            }
            return this;
        }

        Pb string(int field, @Nullable String value) {
            return value == null ? this : bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Pb message(int field, byte[] encoded) { return bytes(field, encoded); }

        Pb bool(int field, boolean value) {
            try { out.writeBool(field, value); } catch (IOException e) { throw new UncheckedIOException(e); }
            return this;
        }

        Pb uint64(int field, long value) {
            try { out.writeUInt64(field, value); } catch (IOException e) { throw new UncheckedIOException(e); }
            return this;
        }

        byte[] toByteArray() {
            try { out.flush(); } catch (IOException e) { throw new UncheckedIOException(e); }
            return buf.toByteArray();
        }
    }
}
