package io.warpstats.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.pubsub.Rpc.Message;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class MessageSignerTest {
    private final PrivateKey key = PrivateKey.fromSeed(new byte[32]);
    private final PeerId self = PeerId.fromPublicKey(key.publicKey());

    @Test
    void signsAndVerifiesStrictSign() {
        Message m = MessageSigner.sign(key, self, "topic", "data".getBytes(), 0x0102030405060708L);
        assertThat(m.from()).isEqualTo(self.toBytes());
        assertThat(HexFormat.of().formatHex(m.seqno())).isEqualTo("0102030405060708");
        assertThat(m.key()).isNull();
        assertThat(m.signature()).hasSize(64);
        assertThat(MessageSigner.verify(m)).isEmpty();
    }

    @Test
    void rejectsTamperingAndMissingFields() {
        Message m = MessageSigner.sign(key, self, "topic", "data".getBytes(), 7);
        assertThat(MessageSigner.verify(new Message(m.from(), "datA".getBytes(), m.seqno(), "topic", m.signature(), null))).isPresent();
        assertThat(MessageSigner.verify(new Message(m.from(), m.data(), m.seqno(), "other", m.signature(), null))).isPresent();
        assertThat(MessageSigner.verify(new Message(m.from(), m.data(), new byte[4], "topic", m.signature(), null))).isPresent();
        assertThat(MessageSigner.verify(new Message(null, m.data(), m.seqno(), "topic", m.signature(), null))).isPresent();
        assertThat(MessageSigner.verify(new Message(m.from(), m.data(), m.seqno(), "topic", null, null))).isPresent();
        assertThat(MessageSigner.verify(new Message(new byte[] {1, 2, 3}, m.data(), m.seqno(), "topic", m.signature(), null))).isPresent();
        PrivateKey other = PrivateKey.fromSeed(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
        assertThat(MessageSigner.verify(m.withSignature(m.signature(), other.publicKey().toProtobuf()))).as("key not matching from").isPresent();
        assertThat(MessageSigner.verify(m.withSignature(m.signature(), key.publicKey().toProtobuf()))).as("matching key").isEmpty();
    }

    @Test
    void emptyDataIsSignedAsPresent() {
        Message m = MessageSigner.sign(key, self, "t", new byte[0], 1);
        assertThat(m.data()).isEmpty();
        assertThat(MessageSigner.verify(m)).isEmpty();
        assertThat(MessageSigner.verify(new Message(m.from(), null, m.seqno(), "t", m.signature(), null))).isPresent();
    }

    @Test
    void messageIdSchemes() {
        Message m = MessageSigner.sign(key, self, "t", new byte[0], 1);
        byte[] js = MessageSigner.messageId(m, GossipParams.MessageIdScheme.JS_KEY_SEQNO).toBytes();
        byte[] go = MessageSigner.messageId(m, GossipParams.MessageIdScheme.GO_FROM_SEQNO).toBytes();
        assertThat(Arrays.copyOf(js, 36)).isEqualTo(key.publicKey().toProtobuf());
        assertThat(Arrays.copyOf(go, 38)).isEqualTo(self.toBytes());
        assertThat(Arrays.copyOfRange(js, 36, 44)).isEqualTo(m.seqno());
        assertThat(Arrays.copyOfRange(go, 38, 46)).isEqualTo(m.seqno());
    }
}
