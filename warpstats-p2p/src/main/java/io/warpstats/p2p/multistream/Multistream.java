package io.warpstats.p2p.multistream;

import io.netty.buffer.ByteBuf;
import io.warpstats.multiformats.Varint;
import io.warpstats.p2p.ProtocolViolationException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The multistream-select 1.0 message codec: {@code varint(len) ‖ utf8(text) ‖ '\n'}.
 * Decoding is bounded by a maximum message length and rejects empty messages, a missing
 * newline and control characters.
 */
public final class Multistream {
    /** The protocol id of multistream-select itself, sent first by both sides. */
    public static final String PROTOCOL_ID = "/multistream/1.0.0";
    /** The answer to an unsupported proposal. */
    public static final String NA = "na";

    private Multistream() {}

    /** The encoded message for {@code text}. */
    public static byte[] encode(String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        byte[] len = Varint.encode(t.length + 1L);
        byte[] out = new byte[len.length + t.length + 1];
        System.arraycopy(len, 0, out, 0, len.length);
        System.arraycopy(t, 0, out, len.length, t.length);
        out[out.length - 1] = '\n';
        return out;
    }

    /**
     * Decodes one message from {@code in}, or returns {@code null} (consuming nothing) if it is
     * incomplete. Throws if the message is malformed or longer than {@code maxLength}.
     */
    public static @Nullable String decode(ByteBuf in, int maxLength) throws ProtocolViolationException {
        int start = in.readerIndex();
        long len = 0;
        int i = 0;
        for (; ; i++) {
            if (i >= 3) throw new ProtocolViolationException("multistream length prefix too long");
            if (start + i >= in.writerIndex()) return null;
            int b = in.getByte(start + i) & 0xFF;
            len |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) break;
        }
        if (len > maxLength) throw new ProtocolViolationException("multistream message of " + len + " bytes exceeds " + maxLength);
        if (in.writerIndex() - (start + i + 1) < len) return null;
        byte[] body = new byte[(int) len];
        in.getBytes(start + i + 1, body);
        in.readerIndex(start + i + 1 + (int) len);
        return parse(body);
    }

    /** Validates a message body (without its length prefix) and returns its text. */
    public static String parse(byte[] body) throws ProtocolViolationException {
        if (body.length < 2 || body[body.length - 1] != '\n') throw new ProtocolViolationException("malformed multistream message");
        for (int j = 0; j < body.length - 1; j++) {
            if ((body[j] & 0xFF) < 0x20 || body[j] == 0x7F) throw new ProtocolViolationException("control character in multistream message");
        }
        return new String(body, 0, body.length - 1, StandardCharsets.UTF_8);
    }
}
