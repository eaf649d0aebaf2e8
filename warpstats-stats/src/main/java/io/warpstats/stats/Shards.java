package io.warpstats.stats;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The split of the statistics keyspace into {@link #count()} shards, each its own DAG and gossipsub topic.
 * A post belongs to shard {@code u64(SHA-256(utf8(postId))[0..8]) mod count} (big-endian, unsigned): stable
 * across versions, platforms and languages, and even for any post ids. Every CRDT key of a post (its counter
 * slots, set members and activity registers) lives in the post's shard.
 *
 * <p>The count is fixed per network: nodes with different counts use different DAG names and topics and so
 * never exchange blocks; a node records its count in its local database and refuses to start with another.
 * One shard ({@link #ONE}) is the unsharded layout: DAG {@code base} as given, the stores and topic of
 * every earlier version.
 *
 * @param count the number of shards, 1 to {@value #MAX}
 */
public record Shards(int count) {
    /** The largest number of shards. */
    public static final int MAX = 256;
    /** No sharding: one DAG for every post. */
    public static final Shards ONE = new Shards(1);

    public Shards {
        if (count < 1 || count > MAX) throw new IllegalArgumentException("shard count must be 1.." + MAX + ", not " + count);
    }

    /**
     * One {@link io.warpstats.crdt.MerkleCrdt} over the engines of every shard ({@code engines.get(i)} is
     * shard {@code i}'s, its DAG named {@link #dagName(String, int) dagName(base, i)}): each statistics key
     * goes to its post's shard; with one shard, that shard's engine itself. Attach it to the
     * {@link StatsService} after registering the service's view on every engine.
     */
    public io.warpstats.crdt.MerkleCrdt route(java.util.List<io.warpstats.crdt.MerkleCrdt> engines, String base) {
        if (count == 1 && engines.size() == 1) return engines.get(0);
        return new ShardedCrdt(this, engines, base);
    }

    /** The shard of {@code postId} (0 to count - 1). */
    public int shardOf(String postId) {
        if (count == 1) return 0;
        byte[] h = sha256().digest(postId.getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (h[i] & 0xff);
        return (int) Long.remainderUnsigned(v, count);
    }

    /** The shard of the post a statistics CRDT key (or query prefix) names, if it names one. */
    public Optional<Integer> shardOfKey(@Nullable String crdtKey) {
        return postOf(crdtKey).map(this::shardOf);
    }

    /**
     * The DAG name (and so the topic) of {@code shard}: {@code base} itself with one shard, else
     * {@code shard-I-of-N}, after {@code base} and a dot when {@code base} is not empty.
     */
    public String dagName(String base, int shard) {
        if (shard < 0 || shard >= count) throw new IllegalArgumentException("no shard " + shard + " of " + count);
        if (count == 1) return base;
        String s = "shard-" + shard + "-of-" + count;
        return base.isEmpty() ? s : base + "." + s;
    }

    /**
     * The post id in a statistics CRDT key or key prefix: {@code /incr|decr/{stat}/{postId}/…},
     * {@code /likers|retweeters|replies|activity/{postId}[/…]}; empty for any other key.
     */
    public static Optional<String> postOf(@Nullable String crdtKey) {
        if (crdtKey == null || crdtKey.isEmpty() || crdtKey.charAt(0) != '/') return Optional.empty();
        int a = crdtKey.indexOf('/', 1);
        if (a < 0) return Optional.empty();
        String kind = crdtKey.substring(1, a);
        int from = a + 1;
        if (kind.equals("incr") || kind.equals("decr")) {
            int b = crdtKey.indexOf('/', from);
            if (b < 0) return Optional.empty();
            from = b + 1;
        } else if (!(kind.equals("likers") || kind.equals("retweeters") || kind.equals("replies") || kind.equals("activity"))) {
            return Optional.empty();
        }
        int end = crdtKey.indexOf('/', from);
        String post = end < 0 ? crdtKey.substring(from) : crdtKey.substring(from, end);
        return Ids.isValid(post) ? Optional.of(post) : Optional.empty();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
