package io.warpstats.stats;

/** The key layout of the local database (documented in {@code docs/architecture.md}, "Storage"). */
final class LocalKeys {
    static final String INCARNATION = "m/incarnation";
    static final String SEQ = "m/seq";
    /** The mirror's watermark: every write up to this sequence number is in the CRDT or its keys in the outbox. */
    static final String MIRRORED = "m/mirrored";
    static final String COUNTERS = "c/";
    static final String ACTIVITY = "a/";
    static final String LIKES = "l/";
    static final String RETWEETS = "r/";
    static final String REPLIES = "p/";
    static final String USER_LIKES = "u/";
    static final String EVENTS = "e/";
    static final String OUTBOX = "o/";

    private LocalKeys() {}

    /** This node's running totals of (stat, post): two big-endian int64, incr then decr. */
    static String counter(Stat stat, String postId) {
        return COUNTERS + stat.key() + "/" + postId;
    }

    static String activity(String postId) {
        return ACTIVITY + postId;
    }

    static String like(String postId, String userId) {
        return LIKES + postId + "/" + userId;
    }

    static String retweet(String postId, String userId) {
        return RETWEETS + postId + "/" + userId;
    }

    static String reply(String postId, String replyId) {
        return REPLIES + postId + "/" + replyId;
    }

    /** Newest first: the time is stored inverted, as 16 hex digits. */
    static String userLike(String userId, long millis, String postId) {
        return USER_LIKES + userId + "/" + invertedTime(millis) + "/" + postId;
    }

    static String invertedTime(long millis) {
        return hex16(Long.MAX_VALUE - millis);
    }

    static String event(long seq) {
        return EVENTS + hex16(seq);
    }

    /** {@code v} as 16 lower-case hex digits, two's complement ({@code String.format("%016x", v)}, without the parsing). */
    static String hex16(long v) {
        byte[] b = new byte[16];
        for (int i = 15; i >= 0; i--, v >>>= 4) b[i] = HEX[(int) (v & 0xF)];
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    static String outbox(String crdtKey) {
        return OUTBOX + crdtKey;
    }
}
