package io.warpstats.p2p.pubsub;

import java.util.Arrays;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * A pubsub message id: opaque bytes, compared by value. For StrictSign messages it is the
 * sender's public key in libp2p protobuf form followed by the 8-byte big-endian seqno, as
 * js-libp2p gossipsub computes it (see {@code docs/pubsub.md} for go-libp2p's variant).
 * Immutable.
 */
public final class MessageId {
    private final byte[] bytes;
    private final int hash;

    private MessageId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** A message id of the given bytes (copied). */
    public static MessageId of(byte[] bytes) { return new MessageId(bytes.clone()); }

    static MessageId wrap(byte[] bytes) { return new MessageId(bytes); }

    /** The id bytes (a copy). */
    public byte[] toBytes() { return bytes.clone(); }

    int length() { return bytes.length; }

    byte[] unsafeBytes() { return bytes; }

    @Override
    public boolean equals(@Nullable Object o) { return o instanceof MessageId m && m.hash == hash && Arrays.equals(m.bytes, bytes); }

    @Override
    public int hashCode() { return hash; }

    @Override
    public String toString() { return HexFormat.of().formatHex(bytes); }
}
