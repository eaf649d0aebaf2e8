package io.warpstats.node.http;

import io.warpstats.stats.PostStats;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The statistics of posts this node does not hold (posts of shards it does not follow), read from a node
 * that does. {@link #NONE} for a node that holds every post.
 */
public interface RemotePosts {
    /** Every post is held here. */
    RemotePosts NONE = new RemotePosts() {
        @Override public boolean isRemote(String postId) { return false; }
        @Override public CompletableFuture<Answer> read(String postId) { return CompletableFuture.completedFuture(Answer.UNAVAILABLE); }
    };

    /** Whether {@code postId}'s totals are read from another node. */
    boolean isRemote(String postId);

    /** The post's totals from a node that holds them; the future does not fail (no answer is {@link Outcome#UNAVAILABLE}). */
    CompletableFuture<Answer> read(String postId);

    /** What a remote read found. */
    enum Outcome {
        /** A follower of the post's shard answered with its totals. */
        FOUND,
        /** A follower of the post's shard answered that it knows nothing of the post. */
        UNKNOWN,
        /** No follower answered in time. */
        UNAVAILABLE
    }

    /**
     * An answer.
     *
     * @param outcome what was found
     * @param stats   the totals ({@link io.warpstats.stats.Source#PEER}) when {@link Outcome#FOUND}, else {@code null}
     */
    record Answer(Outcome outcome, @Nullable PostStats stats) {
        public static final Answer UNKNOWN = new Answer(Outcome.UNKNOWN, null);
        public static final Answer UNAVAILABLE = new Answer(Outcome.UNAVAILABLE, null);

        public Answer {
            Objects.requireNonNull(outcome, "outcome");
            if ((outcome == Outcome.FOUND) != (stats != null)) throw new IllegalArgumentException("totals exactly when found");
        }
    }
}
