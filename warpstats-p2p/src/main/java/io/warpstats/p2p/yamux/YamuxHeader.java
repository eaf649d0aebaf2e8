package io.warpstats.p2p.yamux;

import io.netty.buffer.ByteBuf;
import io.warpstats.p2p.ProtocolViolationException;

/**
 * The 12-byte Yamux header: version (0), type, flags (u16), stream id (u32), length (u32), all
 * big-endian. {@link #decode} is total: it returns a header or throws for an unknown version or
 * type.
 */
public record YamuxHeader(int type, int flags, int streamId, long length) {
    public static final int SIZE = 12;
    public static final int DATA = 0, WINDOW_UPDATE = 1, PING = 2, GO_AWAY = 3;
    public static final int SYN = 1, ACK = 2, FIN = 4, RST = 8;

    /** Reads a header at the reader index (which it advances); the caller ensures 12 readable bytes. */
    public static YamuxHeader decode(ByteBuf in) throws ProtocolViolationException {
        int version = in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedShort();
        int id = in.readInt();
        long length = in.readUnsignedInt();
        if (version != 0) throw new ProtocolViolationException("unsupported yamux version " + version);
        if (type > GO_AWAY) throw new ProtocolViolationException("unknown yamux frame type " + type);
        return new YamuxHeader(type, flags, id, length);
    }

    /** Writes the 12 header bytes. */
    public void encode(ByteBuf out) {
        out.writeByte(0).writeByte(type).writeShort(flags).writeInt(streamId).writeInt((int) length);
    }

    public boolean has(int flag) { return (flags & flag) != 0; }
}
