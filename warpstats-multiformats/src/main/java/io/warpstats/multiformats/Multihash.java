package io.warpstats.multiformats;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A multihash: {@code varint(code) ‖ varint(length) ‖ digest}. Only sha2-256 (0x12) and
 * identity (0x00) are supported; identity digests are capped at {@link #MAX_IDENTITY_LENGTH}.
 *
 * <p>Instances are immutable; the arrays passed in and returned are copied.
 */
public record Multihash(int code, byte[] digest) {
    public static final int SHA2_256 = 0x12;
    public static final int IDENTITY = 0x00;
    /** Longest identity digest accepted (peer ids of Ed25519 keys use 36 bytes). */
    public static final int MAX_IDENTITY_LENGTH = 128;

    public Multihash {
        if (code == SHA2_256) {
            if (digest.length != 32) throw new IllegalArgumentException("sha2-256 digest must be 32 bytes");
        } else if (code == IDENTITY) {
            if (digest.length > MAX_IDENTITY_LENGTH) throw new IllegalArgumentException("identity multihash too long");
        } else {
            throw new IllegalArgumentException("unsupported multihash code 0x" + Integer.toHexString(code));
        }
        digest = digest.clone();
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }

    /** The sha2-256 multihash of {@code data}. */
    public static Multihash sha256(byte[] data) {
        return new Multihash(SHA2_256, sha256Digest(data));
    }

    /** The identity multihash of {@code data}. */
    public static Multihash identity(byte[] data) {
        return new Multihash(IDENTITY, data);
    }

    static byte[] sha256Digest(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** True if {@code data} hashes to this multihash. */
    public boolean verifies(byte[] data) {
        return switch (code) {
            case SHA2_256 -> MessageDigest.isEqual(digest, sha256Digest(data));
            case IDENTITY -> Arrays.equals(digest, data);
            default -> false;
        };
    }

    /** The binary multihash. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(digest.length + 4);
        out.writeBytes(Varint.encode(code));
        out.writeBytes(Varint.encode(digest.length));
        out.writeBytes(digest);
        return out.toByteArray();
    }

    /** Reads a multihash from {@code buf}, advancing it; rejects unknown codes and bad lengths. */
    public static Multihash read(ByteBuffer buf) {
        long code = Varint.decode(buf);
        long len = Varint.decode(buf);
        if (code != SHA2_256 && code != IDENTITY) {
            throw new IllegalArgumentException("unsupported multihash code 0x" + Long.toHexString(code));
        }
        if (len > MAX_IDENTITY_LENGTH || len > buf.remaining()) {
            throw new IllegalArgumentException("multihash length " + len + " exceeds input");
        }
        byte[] d = new byte[(int) len];
        buf.get(d);
        return new Multihash((int) code, d);
    }

    /** Parses a whole array as one multihash. */
    public static Multihash fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        Multihash mh = read(buf);
        if (buf.hasRemaining()) throw new IllegalArgumentException("trailing bytes after multihash");
        return mh;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Multihash m && m.code == code && Arrays.equals(m.digest, digest);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return "Multihash[" + Integer.toHexString(code) + ":" + java.util.HexFormat.of().formatHex(digest) + "]";
    }
}
