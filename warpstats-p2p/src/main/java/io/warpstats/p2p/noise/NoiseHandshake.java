package io.warpstats.p2p.noise;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.ProtocolViolationException;
import io.warpstats.p2p.crypto.PublicKey;
import io.warpstats.p2p.proto.Proto;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Noise_XX_25519_ChaChaPoly_SHA256} handshake with the libp2p payload, as a pure state
 * machine (no I/O). Initiator: {@code write → read → write}; responder: {@code read → write → read}.
 * The remote's payload must carry an Ed25519 identity key whose signature covers
 * {@code "noise-libp2p-static-key:" ‖ its static X25519 key}; anything else fails the handshake.
 */
public final class NoiseHandshake {
    static final String SIG_PREFIX = "noise-libp2p-static-key:";
    private static final byte[] PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY = new byte[0];

    private final boolean initiator;
    private final NoiseIdentity local;
    private final X25519.Pair e = X25519.generate();
    private byte[] ck;
    private byte[] h;
    private @Nullable CipherState cs;
    private byte[] re;
    private byte[] rs;
    private PeerId remotePeer;
    private int step;

    public NoiseHandshake(boolean initiator, NoiseIdentity local) {
        this.initiator = initiator;
        this.local = local;
        this.h = Arrays.copyOf(PROTOCOL_NAME, 32); // exactly 32 bytes: used as is
        this.ck = h.clone();
        mixHash(EMPTY); // empty prologue
    }

    /** True when this side must write the next message. */
    public boolean isMyTurn() { return step < 3 && (initiator ? step % 2 == 0 : step % 2 == 1); }

    public boolean isComplete() { return step == 3; }

    /** The authenticated remote peer (after its static key and payload were read). */
    public PeerId remotePeer() { return remotePeer; }

    /** The next handshake message of this side. */
    public byte[] writeMessage() throws GeneralSecurityException {
        if (!isMyTurn() || isComplete()) throw new IllegalStateException("not our turn");
        byte[] out;
        if (step == 0) { // -> e
            mixHash(e.publicRaw());
            out = concat(e.publicRaw(), encryptAndHash(EMPTY));
        } else if (step == 1) { // <- e, ee, s, es
            mixHash(e.publicRaw());
            mixKey(X25519.dh(e, re));
            byte[] s = encryptAndHash(local.staticKey().publicRaw());
            mixKey(X25519.dh(local.staticKey(), re));
            out = concat(e.publicRaw(), s, encryptAndHash(local.payload()));
        } else { // -> s, se
            byte[] s = encryptAndHash(local.staticKey().publicRaw());
            mixKey(X25519.dh(local.staticKey(), re));
            out = concat(s, encryptAndHash(local.payload()));
        }
        step++;
        return out;
    }

    /** Consumes the remote's next handshake message. */
    public void readMessage(byte[] m) throws GeneralSecurityException, ProtocolViolationException {
        if (isMyTurn() || isComplete()) throw new ProtocolViolationException("unexpected noise handshake message");
        if (step == 0) {
            if (m.length < 32) throw new ProtocolViolationException("noise message 1 too short");
            re = Arrays.copyOfRange(m, 0, 32);
            mixHash(re);
            decryptAndHash(Arrays.copyOfRange(m, 32, m.length)); // payload (ignored, normally empty)
        } else if (step == 1) {
            if (m.length < 32 + 48 + 16) throw new ProtocolViolationException("noise message 2 too short");
            re = Arrays.copyOfRange(m, 0, 32);
            mixHash(re);
            mixKey(X25519.dh(e, re));
            rs = decryptAndHash(Arrays.copyOfRange(m, 32, 80));
            mixKey(X25519.dh(e, rs));
            verifyPayload(decryptAndHash(Arrays.copyOfRange(m, 80, m.length)));
        } else {
            if (m.length < 48 + 16) throw new ProtocolViolationException("noise message 3 too short");
            rs = decryptAndHash(Arrays.copyOfRange(m, 0, 48));
            mixKey(X25519.dh(e, rs));
            verifyPayload(decryptAndHash(Arrays.copyOfRange(m, 48, m.length)));
        }
        step++;
    }

    /** After completion: {@code [send, receive]} cipher states of this side. */
    CipherState[] split() throws GeneralSecurityException {
        if (!isComplete()) throw new IllegalStateException("handshake incomplete");
        byte[][] k = hkdf(ck, EMPTY);
        if (cs != null) cs.close(); // the handshake's own cipher is done
        CipherState c1 = new CipherState(Arrays.copyOf(k[0], 32)), c2 = new CipherState(Arrays.copyOf(k[1], 32));
        return initiator ? new CipherState[] {c1, c2} : new CipherState[] {c2, c1};
    }

    private void verifyPayload(byte[] payload) throws ProtocolViolationException {
        byte[] key = null, sig = null;
        try {
            for (Proto.Field f : Proto.decode(payload, 64)) {
                if (f.number() == 1 && f.wireType() == 2) key = f.bytes();
                else if (f.number() == 2 && f.wireType() == 2) sig = f.bytes();
            }
        } catch (IllegalArgumentException ex) {
            throw new ProtocolViolationException("malformed noise payload: " + ex.getMessage());
        }
        if (key == null || sig == null) throw new ProtocolViolationException("noise payload without identity key or signature");
        PublicKey pk;
        try {
            pk = PublicKey.fromProtobuf(key);
        } catch (IllegalArgumentException ex) {
            throw new ProtocolViolationException("unsupported identity key in noise payload");
        }
        if (!VerifiedKeys.verify(pk, rs, sig)) throw new ProtocolViolationException("bad noise identity signature");
        remotePeer = PeerId.fromPublicKey(pk);
    }

    private void mixHash(byte[] data) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(h);
            d.update(data);
            h = d.digest();
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private void mixKey(byte[] ikm) throws GeneralSecurityException {
        byte[][] k = hkdf(ck, ikm);
        ck = k[0];
        if (cs != null) cs.close();
        cs = new CipherState(Arrays.copyOf(k[1], 32));
    }

    private byte[] encryptAndHash(byte[] pt) throws GeneralSecurityException {
        byte[] ct = cs == null ? pt : cs.encrypt(h, pt);
        mixHash(ct);
        return ct;
    }

    private byte[] decryptAndHash(byte[] ct) throws GeneralSecurityException {
        byte[] pt = cs == null ? ct : cs.decrypt(h, ct);
        mixHash(ct);
        return pt;
    }

    /** HKDF with two outputs (Noise spec, HMAC-SHA256). */
    static byte[][] hkdf(byte[] chainingKey, byte[] ikm) throws GeneralSecurityException {
        byte[] temp = hmac(chainingKey, ikm);
        byte[] o1 = hmac(temp, new byte[] {1});
        byte[] o2 = hmac(temp, concat(o1, new byte[] {2}));
        return new byte[][] {o1, o2};
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(key, "HmacSHA256"));
        return m.doFinal(data);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /** For tests and logs: the names of the peers' roles. */
    List<String> describe() { return List.of(initiator ? "initiator" : "responder", "step " + step); }
}
