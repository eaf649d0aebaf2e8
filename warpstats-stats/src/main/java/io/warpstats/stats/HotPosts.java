package io.warpstats.stats;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The posts with the most recent activity seen by this node, bounded to {@link #CAPACITY} entries. Each
 * post has a count of touches; a new post when full evicts the post with the lowest count (among equal
 * counts, the one that reached that count first) and starts at 1.
 *
 * <p>Cost: {@link #touch} is O(1): posts sit in buckets of equal count, kept in a doubly linked list in
 * count order (the stream-summary structure), so a touch moves one post to the next bucket and an
 * eviction takes the first post of the lowest bucket. {@link #top} walks the buckets from the highest.
 * Thread-safe (synchronized).
 */
final class HotPosts {
    static final int CAPACITY = 2048;

    /** The posts touched exactly {@code count} times, in the order they reached it. */
    private static final class Bucket {
        final long count;
        final LinkedHashSet<String> posts = new LinkedHashSet<>();
        Bucket lower;
        Bucket higher;

        Bucket(long count) {
            this.count = count;
        }
    }

    private final Map<String, Bucket> byPost = new HashMap<>();
    private Bucket lowest;
    private Bucket highest;

    synchronized void touch(String postId) {
        Bucket from = byPost.get(postId);
        if (from == null) {
            if (byPost.size() >= CAPACITY) {
                String coldest = lowest.posts.iterator().next();
                byPost.remove(coldest);
                remove(lowest, coldest);
            }
            Bucket one = lowest != null && lowest.count == 1 ? lowest : link(null, 1);
            one.posts.add(postId);
            byPost.put(postId, one);
            return;
        }
        Bucket to = from.higher != null && from.higher.count == from.count + 1 ? from.higher : link(from, from.count + 1);
        to.posts.add(postId);
        byPost.put(postId, to);
        remove(from, postId);
    }

    /** A new bucket of {@code count} just above {@code below} ({@code null}: the new lowest). */
    private Bucket link(Bucket below, long count) {
        Bucket b = new Bucket(count);
        Bucket above = below == null ? lowest : below.higher;
        b.lower = below;
        b.higher = above;
        if (below == null) lowest = b; else below.higher = b;
        if (above == null) highest = b; else above.lower = b;
        return b;
    }

    private void remove(Bucket b, String postId) {
        b.posts.remove(postId);
        if (!b.posts.isEmpty()) return;
        if (b.lower == null) lowest = b.higher; else b.lower.higher = b.higher;
        if (b.higher == null) highest = b.lower; else b.higher.lower = b.lower;
    }

    /** Up to {@code n} posts, most touched first (equal counts: by post id). */
    synchronized List<String> top(int n) {
        List<String> out = new ArrayList<>();
        for (Bucket b = highest; b != null && out.size() < n; b = b.lower) {
            List<String> same = new ArrayList<>(b.posts);
            same.sort(null);
            out.addAll(same.subList(0, Math.min(same.size(), n - out.size())));
        }
        return out;
    }
}
