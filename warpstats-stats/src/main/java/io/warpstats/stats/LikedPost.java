package io.warpstats.stats;

import java.time.Instant;

/** A post a user liked on this node, with the time of the like. */
public record LikedPost(String postId, Instant likedAt) {}
