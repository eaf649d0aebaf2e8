package io.warpstats.stats;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The visible statistics of one post: every counter is {@code max(0, Σincr − Σdecr)} over the slots
 * known to the answering node, views only grow.
 *
 * @param lastActivity the post's last activity time (a last-writer-wins register), or {@code null}
 * @param source       where the numbers come from
 */
public record PostStats(String postId, long likes, long retweets, long replies, long views,
                        @Nullable Instant lastActivity, Source source) {
    public PostStats {
        Objects.requireNonNull(postId, "postId");
        Objects.requireNonNull(source, "source");
    }

    /** The value of {@code stat}. */
    public long get(Stat stat) {
        return switch (stat) {
            case LIKES -> likes;
            case RETWEETS -> retweets;
            case REPLIES -> replies;
            case VIEWS -> views;
        };
    }

    /** The sum of every counter: how busy the post is. */
    public long activity() {
        return likes + retweets + replies + views;
    }
}
