package io.warpstats.p2p.pubsub;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.warpstats.p2p.pubsub.Rpc.ControlGraft;
import io.warpstats.p2p.pubsub.Rpc.ControlIDontWant;
import io.warpstats.p2p.pubsub.Rpc.ControlIHave;
import io.warpstats.p2p.pubsub.Rpc.ControlIWant;
import io.warpstats.p2p.pubsub.Rpc.ControlMessage;
import io.warpstats.p2p.pubsub.Rpc.ControlPrune;
import io.warpstats.p2p.pubsub.Rpc.Message;
import io.warpstats.p2p.pubsub.Rpc.PeerInfo;
import io.warpstats.p2p.pubsub.Rpc.SubOpts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes {@link Rpc}s from untrusted bytes. Every count and size is bounded by {@link Limits}
 * before memory is allocated; any violation, truncation, wrong wire type, group or invalid
 * UTF-8 string gives a {@link MalformedRpcException} (never another exception, never a hang).
 * Unknown fields are skipped, as protobuf requires.
 */
final class RpcCodec {
    private RpcCodec() {}

    /**
     * Bounds on one decoded RPC.
     *
     * @param maxRpcBytes       the largest encoded RPC
     * @param maxSubscriptions  subscription entries per RPC
     * @param maxMessages       published messages per RPC
     * @param maxControlEntries IHAVE + IWANT + GRAFT + PRUNE + IDONTWANT entries per RPC
     * @param maxMessageIds     message ids per RPC over all IHAVE, IWANT and IDONTWANT entries
     * @param maxTopicBytes     the longest topic name
     * @param maxMessageIdBytes the longest message id
     * @param maxPeersPerPrune  peer-exchange entries per PRUNE
     */
    record Limits(int maxRpcBytes, int maxSubscriptions, int maxMessages, int maxControlEntries,
                  int maxMessageIds, int maxTopicBytes, int maxMessageIdBytes, int maxPeersPerPrune) {
        static Limits of(GossipParams p) {
            return new Limits(p.maxRpcBytes(), p.maxSubscriptionsPerRpc(), p.maxMessagesPerRpc(),
                    p.maxControlEntriesPerRpc(), p.maxMessageIdsPerRpc(), p.maxTopicBytes(), 512, 64);
        }
    }

    static Rpc decode(byte[] bytes, Limits limits) throws MalformedRpcException {
        if (bytes.length > limits.maxRpcBytes()) {
            throw new MalformedRpcException("RPC of " + bytes.length + " bytes exceeds " + limits.maxRpcBytes());
        }
        try {
            return new Reader(CodedInputStream.newInstance(bytes), limits).rpc();
        } catch (IOException | RuntimeException e) {
            throw new MalformedRpcException("malformed RPC: " + e.getMessage(), e);
        }
    }

    private static final class Reader {
        private final CodedInputStream in;
        private final Limits limits;
        private int controlEntries;
        private int messageIds;

        Reader(CodedInputStream in, Limits limits) {
            this.in = in;
            this.limits = limits;
        }

        Rpc rpc() throws IOException, MalformedRpcException {
            List<SubOpts> subs = new ArrayList<>();
            List<Message> msgs = new ArrayList<>();
            Control control = null;
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> {
                        if (subs.size() >= limits.maxSubscriptions()) throw new MalformedRpcException("too many subscriptions");
                        int old = enter(tag);
                        subs.add(subOpts());
                        in.popLimit(old);
                    }
                    case 2 -> {
                        if (msgs.size() >= limits.maxMessages()) throw new MalformedRpcException("too many messages");
                        int old = enter(tag);
                        msgs.add(message());
                        in.popLimit(old);
                    }
                    case 3 -> {
                        int old = enter(tag);
                        if (control == null) control = new Control();
                        control(control);
                        in.popLimit(old);
                    }
                    default -> skip(tag);
                }
            }
            return new Rpc(subs, msgs, control == null ? null
                    : new ControlMessage(control.ihave, control.iwant, control.graft, control.prune, control.idontwant));
        }

        private SubOpts subOpts() throws IOException, MalformedRpcException {
            boolean subscribe = false;
            String topic = null;
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> { expect(tag, WireFormat.WIRETYPE_VARINT); subscribe = in.readBool(); }
                    case 2 -> topic = topic(tag);
                    default -> skip(tag);
                }
            }
            if (topic == null) throw new MalformedRpcException("subscription without topic");
            return new SubOpts(subscribe, topic);
        }

        private Message message() throws IOException, MalformedRpcException {
            byte[] from = null, data = null, seqno = null, sig = null, key = null;
            String topic = null;
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> from = bytes(tag, Integer.MAX_VALUE);
                    case 2 -> data = bytes(tag, Integer.MAX_VALUE);
                    case 3 -> seqno = bytes(tag, Integer.MAX_VALUE);
                    case 4 -> topic = topic(tag);
                    case 5 -> sig = bytes(tag, Integer.MAX_VALUE);
                    case 6 -> key = bytes(tag, Integer.MAX_VALUE);
                    default -> skip(tag);
                }
            }
            return new Message(from, data, seqno, topic, sig, key);
        }

        private void control(Control c) throws IOException, MalformedRpcException {
            int tag;
            while ((tag = in.readTag()) != 0) {
                int field = WireFormat.getTagFieldNumber(tag);
                if (field >= 1 && field <= 5 && ++controlEntries > limits.maxControlEntries()) {
                    throw new MalformedRpcException("too many control entries");
                }
                switch (field) {
                    case 1 -> { int old = enter(tag); c.ihave.add(ihave()); in.popLimit(old); }
                    case 2 -> { int old = enter(tag); c.iwant.add(iwant()); in.popLimit(old); }
                    case 3 -> { int old = enter(tag); c.graft.add(graft()); in.popLimit(old); }
                    case 4 -> { int old = enter(tag); c.prune.add(prune()); in.popLimit(old); }
                    case 5 -> { int old = enter(tag); c.idontwant.add(new ControlIDontWant(iwant().messageIds())); in.popLimit(old); }
                    default -> skip(tag);
                }
            }
        }

        private ControlIHave ihave() throws IOException, MalformedRpcException {
            String topic = null;
            List<MessageId> ids = new ArrayList<>();
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> topic = topic(tag);
                    case 2 -> ids.add(messageId(tag));
                    default -> skip(tag);
                }
            }
            if (topic == null) throw new MalformedRpcException("IHAVE without topic");
            return new ControlIHave(topic, ids);
        }

        private ControlIWant iwant() throws IOException, MalformedRpcException {
            List<MessageId> ids = new ArrayList<>();
            int tag;
            while ((tag = in.readTag()) != 0) {
                if (WireFormat.getTagFieldNumber(tag) == 1) ids.add(messageId(tag));
                else skip(tag);
            }
            return new ControlIWant(ids);
        }

        private ControlGraft graft() throws IOException, MalformedRpcException {
            String topic = null;
            int tag;
            while ((tag = in.readTag()) != 0) {
                if (WireFormat.getTagFieldNumber(tag) == 1) topic = topic(tag);
                else skip(tag);
            }
            if (topic == null) throw new MalformedRpcException("GRAFT without topic");
            return new ControlGraft(topic);
        }

        private ControlPrune prune() throws IOException, MalformedRpcException {
            String topic = null;
            List<PeerInfo> peers = new ArrayList<>();
            Long backoff = null;
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> topic = topic(tag);
                    case 2 -> {
                        if (peers.size() >= limits.maxPeersPerPrune()) throw new MalformedRpcException("too many PX peers");
                        int old = enter(tag);
                        peers.add(peerInfo());
                        in.popLimit(old);
                    }
                    case 3 -> { expect(tag, WireFormat.WIRETYPE_VARINT); backoff = in.readUInt64(); }
                    default -> skip(tag);
                }
            }
            if (topic == null) throw new MalformedRpcException("PRUNE without topic");
            return new ControlPrune(topic, peers, backoff);
        }

        private PeerInfo peerInfo() throws IOException, MalformedRpcException {
            byte[] id = null, record = null;
            int tag;
            while ((tag = in.readTag()) != 0) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> id = bytes(tag, 128);
                    case 2 -> record = bytes(tag, 4096);
                    default -> skip(tag);
                }
            }
            return new PeerInfo(id, record);
        }

        private MessageId messageId(int tag) throws IOException, MalformedRpcException {
            if (++messageIds > limits.maxMessageIds()) throw new MalformedRpcException("too many message ids");
            return MessageId.wrap(bytes(tag, limits.maxMessageIdBytes()));
        }

        private String topic(int tag) throws IOException, MalformedRpcException {
            byte[] b = bytes(tag, limits.maxTopicBytes());
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw new MalformedRpcException("topic is not UTF-8");
            }
        }

        private byte[] bytes(int tag, int max) throws IOException, MalformedRpcException {
            int len = length(tag);
            if (len > max) throw new MalformedRpcException("field of " + len + " bytes exceeds " + max);
            return in.readRawBytes(len);
        }

        /** Reads the length of a length-delimited field and pushes it as the limit; returns the old limit. */
        private int enter(int tag) throws IOException, MalformedRpcException {
            return in.pushLimit(length(tag));
        }

        private int length(int tag) throws IOException, MalformedRpcException {
            expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            int len = in.readRawVarint32();
            if (len < 0 || len > in.getBytesUntilLimit()) throw new MalformedRpcException("truncated field");
            return len;
        }

        private void expect(int tag, int wireType) throws MalformedRpcException {
            if (WireFormat.getTagWireType(tag) != wireType) {
                throw new MalformedRpcException("field " + WireFormat.getTagFieldNumber(tag) + " has wire type "
                        + WireFormat.getTagWireType(tag));
            }
        }

        private void skip(int tag) throws IOException, MalformedRpcException {
            int wt = WireFormat.getTagWireType(tag);
            if (wt == WireFormat.WIRETYPE_START_GROUP || wt == WireFormat.WIRETYPE_END_GROUP || wt > 5) {
                throw new MalformedRpcException("unsupported wire type " + wt);
            }
            if (WireFormat.getTagFieldNumber(tag) == 0) throw new MalformedRpcException("field number 0");
            in.skipField(tag);
        }
    }

    private static final class Control {
        final List<ControlIHave> ihave = new ArrayList<>();
        final List<ControlIWant> iwant = new ArrayList<>();
        final List<ControlGraft> graft = new ArrayList<>();
        final List<ControlPrune> prune = new ArrayList<>();
        final List<ControlIDontWant> idontwant = new ArrayList<>();
    }
}
