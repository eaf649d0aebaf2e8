package io.warpstats.p2p.noise;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.warpstats.p2p.ProtocolViolationException;
import io.warpstats.p2p.crypto.PrivateKey;
import java.lang.reflect.Field;
import java.security.GeneralSecurityException;

/**
 * Coverage-guided fuzzing of the Noise XX handshake as the remote sees it: raw bytes as any of the
 * three messages, and, inside a handshake that is otherwise honest, a hostile libp2p handshake
 * payload (identity key and signature protobuf) that the honest side decrypts and checks. Every
 * case ends in a completed handshake, {@link ProtocolViolationException} or
 * {@link GeneralSecurityException}; nothing else escapes. The hostile payload is put into a
 * {@link NoiseIdentity} by reflection (the class has no constructor for a payload that is not
 * signed by its own key).
 */
class NoiseHandshakeFuzzer {
    private static final NoiseIdentity HONEST = new NoiseIdentity(PrivateKey.generate());
    private static final NoiseIdentity HOSTILE = new NoiseIdentity(PrivateKey.generate());
    private static final Field PAYLOAD;

    static {
        try {
            PAYLOAD = NoiseIdentity.class.getDeclaredField("payload");
            PAYLOAD.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "3s")
    void handshake(FuzzedDataProvider data) throws Exception {
        int mode = data.consumeInt(0, 4);
        byte[] bytes = data.consumeRemainingAsBytes();
        try {
            switch (mode) {
                case 0 -> new NoiseHandshake(false, HONEST).readMessage(bytes);
                case 1 -> rawMessage2(bytes);
                case 2 -> rawMessage3(bytes);
                case 3 -> hostilePayload(bytes, true);
                default -> hostilePayload(bytes, false);
            }
        } catch (ProtocolViolationException | GeneralSecurityException rejected) {
            // documented rejections
        }
    }

    /** The initiator reads {@code bytes} as the responder's message 2. */
    private static void rawMessage2(byte[] bytes) throws Exception {
        NoiseHandshake initiator = new NoiseHandshake(true, HONEST);
        initiator.writeMessage();
        initiator.readMessage(bytes);
    }

    /** The responder reads {@code bytes} as the initiator's message 3. */
    private static void rawMessage3(byte[] bytes) throws Exception {
        NoiseHandshake initiator = new NoiseHandshake(true, HONEST);
        NoiseHandshake responder = new NoiseHandshake(false, HONEST);
        responder.readMessage(initiator.writeMessage());
        initiator.readMessage(responder.writeMessage());
        responder.readMessage(bytes);
    }

    /** A handshake whose initiator (message 3) or responder (message 2) sends {@code payload}. */
    private static void hostilePayload(byte[] payload, boolean hostileInitiator) throws Exception {
        synchronized (HOSTILE) {
            PAYLOAD.set(HOSTILE, payload);
            NoiseHandshake initiator = new NoiseHandshake(true, hostileInitiator ? HOSTILE : HONEST);
            NoiseHandshake responder = new NoiseHandshake(false, hostileInitiator ? HONEST : HOSTILE);
            responder.readMessage(initiator.writeMessage());
            initiator.readMessage(responder.writeMessage());
            responder.readMessage(initiator.writeMessage());
        }
    }
}
