package io.warpstats.stats;

import org.jspecify.annotations.Nullable;

/**
 * A user action that {@link StatsService#submit} records. Every id is validated when the record is made
 * ({@link Ids}: {@link InvalidIdException}), so a bad action never reaches the write queue.
 */
public sealed interface Action {
    /** The post the action is about. */
    String postId();

    private static void requirePostAndUser(String postId, String userId) {
        Ids.require("post id", postId);
        Ids.require("user id", userId);
    }

    /** {@code userId} likes {@code postId}. */
    record Like(String postId, String userId) implements Action {
        public Like {
            requirePostAndUser(postId, userId);
        }
    }

    /** {@code userId} withdraws a like of {@code postId}. */
    record Unlike(String postId, String userId) implements Action {
        public Unlike {
            requirePostAndUser(postId, userId);
        }
    }

    /** {@code userId} retweets {@code postId}. */
    record Retweet(String postId, String userId) implements Action {
        public Retweet {
            requirePostAndUser(postId, userId);
        }
    }

    /** {@code userId} withdraws a retweet of {@code postId}. */
    record Unretweet(String postId, String userId) implements Action {
        public Unretweet {
            requirePostAndUser(postId, userId);
        }
    }

    /** {@code userId} replies to {@code postId} with reply {@code replyId}. */
    record Reply(String postId, String userId, String replyId) implements Action {
        public Reply {
            Ids.require("post id", postId);
            Ids.require("user id", userId);
            Ids.require("reply id", replyId);
        }
    }

    /** Reply {@code replyId} to {@code postId} is deleted. */
    record DeleteReply(String postId, String replyId) implements Action {
        public DeleteReply {
            Ids.require("post id", postId);
            Ids.require("reply id", replyId);
        }
    }

    /** {@code postId} is viewed, by {@code userId} or anonymously ({@code null}). */
    record View(String postId, @Nullable String userId) implements Action {
        public View {
            Ids.require("post id", postId);
            if (userId != null) {
                Ids.require("user id", userId);
            }
        }
    }
}
