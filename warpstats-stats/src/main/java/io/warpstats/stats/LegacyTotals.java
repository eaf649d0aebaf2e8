package io.warpstats.stats;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A post's totals in a legacy system, to be brought into this node's counter slots by
 * {@link StatsService#importTotals(Collection)}.
 *
 * <p>The import rule, per (post, stat): the node remembers the highest total ever imported (its
 * <em>import mark</em>, in the local database) and adds {@code max(0, new − mark)} to its own running
 * {@code incr} total, then sets the mark to {@code max(mark, new)}. So importing the same totals twice
 * changes nothing, a later file with larger totals adds only the difference, and a total smaller than
 * one imported before changes nothing (an import never lowers a count: a legacy correction downwards
 * has to be made with un-like, delete-reply and the like). The order in which files are imported does
 * not matter, and a post given twice counts with its larger totals. The counts replicate like any
 * other increment: they go to this node's own slots, through the outbox.
 *
 * <p>Limits: each total is 0 to {@value #MAX_TOTAL} (the slot clamp); at most {@value #MAX_BATCH} posts
 * per call.
 *
 * @param postId   the post (validated by {@link Ids})
 * @param likes    its likes in the legacy system
 * @param retweets its retweets
 * @param replies  its replies
 * @param views    its views
 */
public record LegacyTotals(String postId, long likes, long retweets, long replies, long views) {
    /** The largest total accepted: counter slots clamp above it. */
    public static final long MAX_TOTAL = 1L << 48;
    /** The most posts one {@link StatsService#importTotals} call takes. */
    public static final int MAX_BATCH = 10_000;
    /** Local database key prefix of the import marks: {@code i/{stat}/{postId}} → u64. */
    static final String MARKS = "i/";

    /**
     * @throws InvalidIdException       for a bad post id
     * @throws IllegalArgumentException for a total outside 0..{@value #MAX_TOTAL}
     */
    public LegacyTotals {
        Ids.require("post id", postId);
        for (Stat s : Stat.values()) {
            long v = switch (s) {
                case LIKES -> likes;
                case RETWEETS -> retweets;
                case REPLIES -> replies;
                case VIEWS -> views;
            };
            if (v < 0 || v > MAX_TOTAL) {
                throw new IllegalArgumentException(s.key() + " of post " + postId + " must be 0 to " + MAX_TOTAL + ", not " + v);
            }
        }
    }

    /** The total of {@code stat}. */
    public long get(Stat stat) {
        return switch (stat) {
            case LIKES -> likes;
            case RETWEETS -> retweets;
            case REPLIES -> replies;
            case VIEWS -> views;
        };
    }

    /** The larger of each total of this and {@code o} (same post). */
    LegacyTotals max(LegacyTotals o) {
        return new LegacyTotals(postId, Math.max(likes, o.likes), Math.max(retweets, o.retweets),
                Math.max(replies, o.replies), Math.max(views, o.views));
    }

    /** One entry per post, duplicates merged by {@link #max}, in first-seen order. */
    static List<LegacyTotals> merged(Collection<LegacyTotals> totals) {
        Objects.requireNonNull(totals, "totals");
        if (totals.size() > MAX_BATCH) {
            throw new StatsException(StatsException.Problem.INVALID_ARGUMENT,
                    "at most " + MAX_BATCH + " posts per import call, not " + totals.size());
        }
        Map<String, LegacyTotals> m = new LinkedHashMap<>();
        for (LegacyTotals t : totals) {
            m.merge(Objects.requireNonNull(t, "totals element").postId(), t, LegacyTotals::max);
        }
        return List.copyOf(m.values());
    }

    /** The local database key of the import mark of (stat, post). */
    static String markKey(Stat stat, String postId) {
        return MARKS + stat.key() + "/" + postId;
    }

    /**
     * What one import call did.
     *
     * @param posts    distinct posts given
     * @param changed  posts of which at least one count went up
     * @param likes    likes added over all posts (likewise {@code retweets}, {@code replies}, {@code views})
     */
    public record Outcome(int posts, int changed, long likes, long retweets, long replies, long views) {
        /** The counts added, over every stat. */
        public long total() {
            return likes + retweets + replies + views;
        }
    }
}
