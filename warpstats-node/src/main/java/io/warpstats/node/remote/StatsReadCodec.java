package io.warpstats.node.remote;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The frames of {@value #PROTOCOL}, one request and one answer per stream, each a varint-length-prefixed
 * protobuf message (docs/replication.md, "Reads of unfollowed shards"):
 * <pre>
 * message Read    { string postId = 1; uint32 shards = 2; }
 * message Totals  { uint32 status = 1; uint64 likes = 2; uint64 retweets = 3; uint64 replies = 4;
 *                   uint64 views = 5; int64 lastActivityMillis = 6; string detail = 7; }
 * </pre>
 * Unknown fields are skipped; a frame over its limit, a wrong wire type or a truncated field is malformed.
 */
final class StatsReadCodec {
    /** The protocol id. */
    static final String PROTOCOL = "/warpstats/stats-read/1.0.0";
    /** The largest request frame. */
    static final int MAX_REQUEST = 512;
    /** The largest answer frame. */
    static final int MAX_ANSWER = 1024;
    /** The longest detail text of an answer. */
    static final int MAX_DETAIL = 256;

    private StatsReadCodec() {}

    /** What the server says. */
    enum Status {
        /** The totals follow. */
        OK,
        /** The server follows the shard and knows nothing of the post. */
        UNKNOWN_POST,
        /** The server does not follow the post's shard. */
        NOT_FOLLOWED,
        /** The asker's shard count differs from the server's. */
        SHARDS_MISMATCH,
        /** The server cannot answer from its replicated state now (its CRDT is down, or it is too busy). */
        UNAVAILABLE
    }

    record Read(String postId, int shards) {}

    record Totals(Status status, long likes, long retweets, long replies, long views, long lastActivityMillis, String detail) {
        static Totals of(Status s, String detail) {
            return new Totals(s, 0, 0, 0, 0, 0, detail);
        }
    }

    static byte[] encode(Read r) {
        return write(out -> {
            out.writeString(1, r.postId());
            out.writeUInt32(2, r.shards());
        });
    }

    static byte[] encode(Totals t) {
        return write(out -> {
            out.writeUInt32(1, t.status().ordinal());
            if (t.likes() != 0) out.writeUInt64(2, t.likes());
            if (t.retweets() != 0) out.writeUInt64(3, t.retweets());
            if (t.replies() != 0) out.writeUInt64(4, t.replies());
            if (t.views() != 0) out.writeUInt64(5, t.views());
            if (t.lastActivityMillis() != 0) out.writeInt64(6, t.lastActivityMillis());
            String d = t.detail().length() > MAX_DETAIL ? t.detail().substring(0, MAX_DETAIL) : t.detail();
            if (!d.isEmpty()) out.writeString(7, d);
        });
    }

    static Read decodeRead(byte[] frame) {
        if (frame.length > MAX_REQUEST) throw new IllegalArgumentException("request of " + frame.length + " bytes (limit " + MAX_REQUEST + ")");
        String post = null;
        int shards = 0;
        try {
            CodedInputStream in = CodedInputStream.newInstance(frame);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> post = in.readStringRequireUtf8();
                    case (2 << 3) | WireFormat.WIRETYPE_VARINT -> shards = in.readUInt32();
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed request: " + e.getMessage(), e);
        }
        if (post == null || post.isEmpty()) throw new IllegalArgumentException("request without a post id");
        return new Read(post, shards);
    }

    static Totals decodeTotals(byte[] frame) {
        if (frame.length > MAX_ANSWER) throw new IllegalArgumentException("answer of " + frame.length + " bytes (limit " + MAX_ANSWER + ")");
        int status = -1;
        long likes = 0, retweets = 0, replies = 0, views = 0, last = 0;
        String detail = "";
        try {
            CodedInputStream in = CodedInputStream.newInstance(frame);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case (1 << 3) | WireFormat.WIRETYPE_VARINT -> status = in.readUInt32();
                    case (2 << 3) | WireFormat.WIRETYPE_VARINT -> likes = in.readUInt64();
                    case (3 << 3) | WireFormat.WIRETYPE_VARINT -> retweets = in.readUInt64();
                    case (4 << 3) | WireFormat.WIRETYPE_VARINT -> replies = in.readUInt64();
                    case (5 << 3) | WireFormat.WIRETYPE_VARINT -> views = in.readUInt64();
                    case (6 << 3) | WireFormat.WIRETYPE_VARINT -> last = in.readInt64();
                    case (7 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> detail = in.readStringRequireUtf8();
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed answer: " + e.getMessage(), e);
        }
        if (status < 0 || status >= Status.values().length) throw new IllegalArgumentException("answer with unknown status " + status);
        if (likes < 0 || retweets < 0 || replies < 0 || views < 0) throw new IllegalArgumentException("answer with a total above 2^63");
        return new Totals(Status.values()[status], likes, retweets, replies, views, last, detail);
    }

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] write(Writer w) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            w.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
