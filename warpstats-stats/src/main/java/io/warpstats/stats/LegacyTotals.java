package io.warpstats.stats;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A post's totals in a legacy system, to be brought into this node by {@link StatsService#importTotals(Collection)}.
 *
 * <p>The import rule, per (post, stat): the node remembers the highest total ever imported (its
 * <em>import mark</em>, in the local database) and adds only {@code max(0, new − mark)}, then sets the mark to
 * {@code max(mark, new)}. So importing the same totals twice changes nothing, a later file with larger totals
 * adds only the difference, and a total smaller than one imported before changes nothing (an import never
 * lowers a count: a legacy correction downwards has to be made with un-like, delete-reply and the like). The
 * order in which files are imported does not matter, and a post given twice counts with its larger totals.
 *
 * <p>How the counts are kept, as live actions are: views go to this node's own {@code incr} slot; likes,
 * retweets and replies are members of the post's replicated sets, named {@code @legacy:1}, {@code @legacy:2}, …
 * ({@link #memberId}) — the same names on every node, so the same legacy likes imported through two nodes
 * count once (views, per-node slots, would count twice). Such members appear among a post's likers, and can
 * be withdrawn like any other ({@code unlike(post, "@legacy:7")}). Everything goes through the outbox and
 * replicates like any other write.
 *
 * <p>Limits: views 0 to {@value #MAX_TOTAL} (the slot clamp); likes, retweets and replies 0 to
 * {@value #MAX_MEMBERS} each (every one is a set member, stored and replicated); at most {@value #MAX_BATCH}
 * posts and {@value #MAX_NEW_MEMBERS} new members per call (a larger total is imported in steps: import the
 * post with growing totals).
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
    /** The largest like, retweet or reply total accepted: each one is a set member. */
    public static final long MAX_MEMBERS = 10_000_000L;
    /** The most likes, retweets and replies one {@link StatsService#importTotals} call may add. */
    public static final int MAX_NEW_MEMBERS = 20_000;
    /** The prefix of the member ids that stand for legacy likes, retweets and replies. */
    public static final String MEMBER_PREFIX = "@legacy:";
    /** The most posts one {@link StatsService#importTotals} call takes. */
    public static final int MAX_BATCH = 10_000;
    /** Local database key prefix of the import marks: {@code i/{stat}/{postId}} → u64. */
    static final String MARKS = "i/";

    /**
     * @throws InvalidIdException       for a bad post id
     * @throws IllegalArgumentException for a total outside its range (views 0..{@value #MAX_TOTAL}, the others 0..{@value #MAX_MEMBERS})
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
            long max = s == Stat.VIEWS ? MAX_TOTAL : MAX_MEMBERS;
            if (v < 0 || v > max) {
                throw new IllegalArgumentException(s.key() + " of post " + postId + " must be 0 to " + max + ", not " + v);
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

    /** The largest total accepted for {@code stat}. */
    public static long max(Stat stat) {
        return stat == Stat.VIEWS ? MAX_TOTAL : MAX_MEMBERS;
    }

    /** The id of the {@code n}-th legacy member (1-based) of a post's likers, retweeters or replies. */
    public static String memberId(long n) {
        return MEMBER_PREFIX + n;
    }

    /** A legacy reply's local value: the time, then the author {@code @legacy}. */
    static byte[] replyValue(long millis) {
        byte[] user = Bytes.utf8("@legacy");
        byte[] v = new byte[8 + user.length];
        Bytes.putLong(v, 0, millis);
        System.arraycopy(user, 0, v, 8, user.length);
        return v;
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
