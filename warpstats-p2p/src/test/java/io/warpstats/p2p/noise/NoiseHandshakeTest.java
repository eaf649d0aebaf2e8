package io.warpstats.p2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.ProtocolViolationException;
import io.warpstats.p2p.crypto.PrivateKey;
import java.security.GeneralSecurityException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class NoiseHandshakeTest {
    private static final PrivateKey A = PrivateKey.fromSeed(new byte[32]);
    private static final PrivateKey B = PrivateKey.fromSeed(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
    private static final NoiseIdentity IA = new NoiseIdentity(A), IB = new NoiseIdentity(B);

    private static CipherState[][] handshake() throws Exception {
        NoiseHandshake i = new NoiseHandshake(true, IA), r = new NoiseHandshake(false, IB);
        r.readMessage(i.writeMessage());
        i.readMessage(r.writeMessage());
        r.readMessage(i.writeMessage());
        assertThat(i.isComplete() && r.isComplete()).isTrue();
        assertThat(i.remotePeer()).isEqualTo(PeerId.fromPublicKey(B.publicKey()));
        assertThat(r.remotePeer()).isEqualTo(PeerId.fromPublicKey(A.publicKey()));
        return new CipherState[][] {i.split(), r.split()};
    }

    @Test
    void handshakeAuthenticatesBothSidesAndKeysMatch() throws Exception {
        CipherState[][] cs = handshake();
        byte[] msg = "hello".getBytes();
        byte[] empty = new byte[0];
        assertThat(cs[1][1].decrypt(empty, cs[0][0].encrypt(empty, msg))).isEqualTo(msg);
        assertThat(cs[0][1].decrypt(empty, cs[1][0].encrypt(empty, msg))).isEqualTo(msg);
    }

    @Test
    void tamperedFrameIsRejected() throws Exception {
        CipherState[][] cs = handshake();
        byte[] ct = cs[0][0].encrypt(new byte[0], "hello".getBytes());
        ct[0] ^= 1;
        assertThatThrownBy(() -> cs[1][1].decrypt(new byte[0], ct)).isInstanceOf(GeneralSecurityException.class);
    }

    @Property(tries = 200)
    void responderRejectsArbitraryThirdMessage(@ForAll @Size(max = 200) byte[] junk) throws Exception {
        NoiseHandshake i = new NoiseHandshake(true, IA), r = new NoiseHandshake(false, IB);
        r.readMessage(i.writeMessage());
        i.readMessage(r.writeMessage());
        try {
            r.readMessage(junk);
            throw new AssertionError("accepted a forged message 3");
        } catch (ProtocolViolationException | GeneralSecurityException expected) {
            assertThat(r.isComplete()).isFalse();
        }
    }

    @Property(tries = 200)
    void initiatorRejectsArbitrarySecondMessage(@ForAll @Size(max = 300) byte[] junk) throws Exception {
        NoiseHandshake i = new NoiseHandshake(true, IA);
        i.writeMessage();
        try {
            i.readMessage(junk);
            throw new AssertionError("accepted a forged message 2");
        } catch (ProtocolViolationException | GeneralSecurityException expected) {
            assertThat(i.remotePeer()).isNull();
        }
    }

    @Property(tries = 200)
    void transportDecryptRejectsArbitraryFrames(@ForAll @Size(max = 100) byte[] junk, @ForAll @IntRange(max = 3) int skip) throws Exception {
        CipherState recv = new CipherState(new byte[32]);
        assertThatThrownBy(() -> recv.decrypt(new byte[0], junk)).isInstanceOf(GeneralSecurityException.class);
    }
}
