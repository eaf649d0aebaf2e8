package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.crypto.PublicKey;
import io.warpstats.p2p.pubsub.Rpc.Message;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * StrictSign: every message carries {@code from} (raw peer-id bytes), an 8-byte big-endian
 * {@code seqno} and an Ed25519 signature over {@code "libp2p-pubsub:" ‖ Message} where the
 * Message is encoded without {@code signature} and {@code key}, fields in tag order, present
 * fields only. The key is omitted when the peer id inlines it (Ed25519).
 */
final class MessageSigner {
    private static final byte[] PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII);

    private MessageSigner() {}

    static Message sign(PrivateKey key, PeerId self, String topic, byte[] data, long seqno) {
        byte[] seq = ByteBuffer.allocate(8).putLong(seqno).array();
        Message unsigned = new Message(self.toBytes(), data, seq, topic, null, null);
        byte[] sig = key.sign(signedBytes(unsigned));
        return unsigned.withSignature(sig, null);
    }

    /** Verifies a StrictSign message; returns empty when valid, else the reason it is not. */
    static Optional<String> verify(Message m) {
        byte[] from = m.from();
        byte[] seqno = m.seqno();
        byte[] sig = m.signature();
        if (from == null) return Optional.of("missing from");
        if (seqno == null || seqno.length != 8) return Optional.of("seqno is not 8 bytes");
        if (sig == null) return Optional.of("missing signature");
        if (m.topic() == null) return Optional.of("missing topic");
        Optional<PublicKey> pk = authorKey(m);
        if (pk.isEmpty()) return Optional.of("no usable public key");
        if (!pk.get().verify(signedBytes(m), sig)) return Optional.of("bad signature");
        return Optional.empty();
    }

    /** The author's key: the {@code key} field if present and matching {@code from}, else the key inlined in {@code from}. */
    static Optional<PublicKey> authorKey(Message m) {
        try {
            PeerId from = PeerId.fromBytes(m.from());
            byte[] key = m.key();
            if (key != null) {
                PublicKey pk = PublicKey.fromProtobuf(key);
                return PeerId.fromPublicKey(pk).equals(from) ? Optional.of(pk) : Optional.empty();
            }
            return from.publicKey();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The message id under the given scheme; the message must have {@code from} and {@code seqno}. */
    static MessageId messageId(Message m, GossipParams.MessageIdScheme scheme) {
        byte[] first = m.from();
        if (scheme == GossipParams.MessageIdScheme.JS_KEY_SEQNO) {
            Optional<PublicKey> pk = authorKey(m);
            if (pk.isPresent()) first = pk.get().toProtobuf();
        }
        byte[] seq = m.seqno();
        byte[] id = new byte[first.length + seq.length];
        System.arraycopy(first, 0, id, 0, first.length);
        System.arraycopy(seq, 0, id, first.length, seq.length);
        return MessageId.wrap(id);
    }

    private static byte[] signedBytes(Message m) {
        byte[] body = m.encode(false);
        byte[] out = new byte[PREFIX.length + body.length];
        System.arraycopy(PREFIX, 0, out, 0, PREFIX.length);
        System.arraycopy(body, 0, out, PREFIX.length, body.length);
        return out;
    }
}
