package io.warpstats.node.core;

import io.warpstats.stats.Shards;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * How a node takes part in a sharded network: the network's {@link Shards} and the shards this node
 * follows (stores, merges and relays). A shard it does not follow still gets this node's own writes, in
 * a store that holds only them, announced to the shard's followers; its posts are read from a follower.
 *
 * @param shards   the network's shard count (fixed per network, recorded in the data directory)
 * @param followed the shards followed, each in {@code 0..count-1}; not empty
 */
public record ShardSelection(Shards shards, SortedSet<Integer> followed) {

    public ShardSelection {
        Objects.requireNonNull(shards, "shards");
        followed = Collections.unmodifiableSortedSet(new TreeSet<>(followed));
        if (followed.isEmpty()) throw new IllegalArgumentException("a node follows at least one shard");
        for (int s : followed) {
            if (s < 0 || s >= shards.count()) throw new IllegalArgumentException("no shard " + s + " of " + shards.count() + " (shards are 0.." + (shards.count() - 1) + ")");
        }
    }

    /** One shard, followed: the unsharded network. */
    public static final ShardSelection UNSHARDED = all(1);

    /** {@code count} shards, every one followed. */
    public static ShardSelection all(int count) {
        Shards s = new Shards(count);
        return new ShardSelection(s, new TreeSet<>(IntStream.range(0, count).boxed().toList()));
    }

    /** {@code count} shards, the given ones followed. */
    public static ShardSelection of(int count, Collection<Integer> followed) {
        return new ShardSelection(new Shards(count), new TreeSet<>(followed));
    }

    /** Whether this node follows {@code shard}. */
    public boolean follows(int shard) {
        return followed.contains(shard);
    }

    /** Whether this node follows the shard of {@code postId}. */
    public boolean followsPost(String postId) {
        return shards.count() == 1 || followed.contains(shards.shardOf(postId));
    }
}
