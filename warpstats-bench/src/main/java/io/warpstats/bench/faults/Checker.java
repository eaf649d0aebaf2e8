package io.warpstats.bench.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks what the nodes report after healing against the history. Pure: no I/O, no threads.
 *
 * <p><b>Sets</b> (likes, retweets): a post's likes are the number of users in its likers add-wins
 * OR-set, its retweets the number in its retweeters set (docs/stats.md), so a user counts once however
 * often its like was taken. A user acts only through its home node, so its likes and unlikes of a post
 * are sequential. Of the operations not refused, if the last is an acknowledged like, the user must be
 * a member; if it is an acknowledged unlike and every like before it went to the same incarnation of
 * the home node, the user must not be one (after a wipe the home node may tombstone only the elements
 * it has synced again, so the earlier like may survive; add-wins); after an indeterminate last
 * operation either is allowed. A user with no like that was acknowledged or indeterminate must not be
 * a member. So the count is bounded by {@code lo = |must|} and {@code hi = |may|}; for likes the
 * listed likers are checked user by user, and the likes must equal the number of likers listed.
 *
 * <p><b>Counters</b> (replies, views): every reply has an id of its own and is deleted only through
 * the node and incarnation that took it; every view is counted in its node's slot. An acknowledged
 * increment must be counted, an indeterminate one may be, a failed one must not; the same for
 * decrements (reply deletes). So for each post and stat:
 * {@code lo = max(0, ok+ − ok− − indeterminate−)} and {@code hi = ok+ + indeterminate+ − ok−}; a
 * value below {@code lo} lost an acknowledged operation, above {@code hi} counted one twice (or one
 * that failed). Views have only increments.
 *
 * <p><b>Agreement</b>: every node reports the same four counters and the same likers for every post,
 * from the CRDT (source {@code crdt}).
 */
public final class Checker {
    private Checker() {}

    /** The statistics one node reports for one post ({@code null} fields never; an unknown post is all zero). */
    public record Reading(long likes, long retweets, long replies, long views, String source) {
        public static final Reading UNKNOWN = new Reading(0, 0, 0, 0, "unknown-post");

        long get(String stat) {
            return switch (stat) {
                case "likes" -> likes;
                case "retweets" -> retweets;
                case "replies" -> replies;
                case "views" -> views;
                default -> throw new IllegalArgumentException(stat);
            };
        }

        boolean sameCounts(Reading o) {
            return likes == o.likes && retweets == o.retweets && replies == o.replies && views == o.views;
        }
    }

    /** The values a counter may have: {@code lo ≤ v ≤ hi}. */
    public record Bounds(long lo, long hi) {
        public boolean contains(long v) {
            return v >= lo && v <= hi;
        }
    }

    static final List<String> STATS = List.of("likes", "retweets", "replies", "views");

    /** Per post, per stat: the bounds the history allows (likes and retweets: the sizes of their {@link MemberBounds}). */
    public static Map<String, Map<String, Bounds>> bounds(List<Op> ops) {
        Map<String, Map<String, long[]>> acc = new LinkedHashMap<>();
        for (Op op : ops) {
            if (op.outcome() == Op.Outcome.FAIL) continue;
            boolean ok = op.outcome() == Op.Outcome.OK;
            String stat = switch (op.kind()) {
                case LIKE, UNLIKE -> "likes";
                case RETWEET, UNRETWEET -> "retweets";
                case REPLY, DELETE_REPLY -> "replies";
                case VIEW -> "views";
            };
            boolean incr = switch (op.kind()) {
                case LIKE, RETWEET, REPLY, VIEW -> true;
                case UNLIKE, UNRETWEET, DELETE_REPLY -> false;
            };
            long[] b = acc.computeIfAbsent(op.post(), p -> new HashMap<>()).computeIfAbsent(stat, s -> new long[2]);
            if (incr) {
                if (ok) b[0]++;
                b[1]++;
            } else {
                b[0]--;
                if (ok) b[1]--;
            }
        }
        Map<String, MemberBounds> likers = memberBounds(ops, Op.Kind.LIKE, Op.Kind.UNLIKE);
        Map<String, MemberBounds> retweeters = memberBounds(ops, Op.Kind.RETWEET, Op.Kind.UNRETWEET);
        MemberBounds none = new MemberBounds(Set.of(), Set.of());
        Map<String, Map<String, Bounds>> out = new LinkedHashMap<>();
        acc.forEach((post, m) -> {
            Map<String, Bounds> stats = new LinkedHashMap<>();
            for (String s : STATS) {
                long[] b = m.getOrDefault(s, new long[2]);
                stats.put(s, new Bounds(Math.max(0, b[0]), Math.max(0, b[1])));
            }
            stats.put("likes", likers.getOrDefault(post, none).size());
            stats.put("retweets", retweeters.getOrDefault(post, none).size());
            out.put(post, stats);
        });
        return out;
    }

    /** What a post's set of users (likers or retweeters) must hold and may hold ({@code required ⊆ allowed}). */
    public record MemberBounds(Set<String> required, Set<String> allowed) {
        /** The bounds of the set's size. */
        public Bounds size() {
            return new Bounds(required.size(), allowed.size());
        }
    }

    /** Per post, what its likers OR-set must and may hold. */
    public static Map<String, MemberBounds> likerBounds(List<Op> ops) {
        return memberBounds(ops, Op.Kind.LIKE, Op.Kind.UNLIKE);
    }

    /** Per post, what the set that {@code add} adds a user to and {@code remove} removes it from must and may hold. */
    static Map<String, MemberBounds> memberBounds(List<Op> ops, Op.Kind add, Op.Kind remove) {
        Map<String, Map<String, List<Op>>> byPostUser = new LinkedHashMap<>();
        for (Op op : ops) {
            if (op.kind() != add && op.kind() != remove) continue;
            if (op.outcome() == Op.Outcome.FAIL) continue;
            byPostUser.computeIfAbsent(op.post(), p -> new LinkedHashMap<>()).computeIfAbsent(op.user(), u -> new ArrayList<>()).add(op);
        }
        Map<String, MemberBounds> out = new LinkedHashMap<>();
        byPostUser.forEach((post, users) -> {
            Set<String> required = new TreeSet<>();
            Set<String> allowed = new TreeSet<>();
            users.forEach((user, list) -> {
                list.sort(Comparator.comparingLong(Op::startMs).thenComparingLong(Op::id));
                Op last = list.get(list.size() - 1);
                boolean everLiked = list.stream().anyMatch(o -> o.kind() == add);
                if (!everLiked) return;
                if (last.outcome() == Op.Outcome.INDETERMINATE) {
                    allowed.add(user);
                } else if (last.kind() == add) {
                    required.add(user);
                    allowed.add(user);
                } else {
                    boolean oneIncarnation = list.stream().filter(o -> o.kind() == add)
                            .allMatch(o -> o.node() == last.node() && o.incarnation() == last.incarnation());
                    if (!oneIncarnation) allowed.add(user);
                }
            });
            out.put(post, new MemberBounds(required, allowed));
        });
        return out;
    }

    /**
     * Every violation, empty when the run is correct.
     *
     * @param ops      the whole history (every operation has an outcome)
     * @param posts    the posts to check
     * @param readings per node, per post (missing = not read: an error)
     * @param likers   per node, per post, the likers it lists; {@code null} to skip the set checks
     */
    public static List<String> check(List<Op> ops, List<String> posts, List<Map<String, Reading>> readings,
                                     List<Map<String, Set<String>>> likers) {
        List<String> errors = new ArrayList<>();
        Map<String, Map<String, Bounds>> bounds = bounds(ops);
        Map<String, MemberBounds> likerBounds = likerBounds(ops);
        for (String post : posts) {
            Reading first = null;
            for (int n = 0; n < readings.size(); n++) {
                Reading r = readings.get(n).get(post);
                if (r == null) {
                    errors.add("node " + n + " post " + post + ": not read");
                    continue;
                }
                if (first == null) first = r;
                else if (!first.sameCounts(r)) errors.add("post " + post + ": nodes disagree: node 0 " + first + ", node " + n + " " + r);
                Map<String, Bounds> b = bounds.get(post);
                if (r != Reading.UNKNOWN && !"crdt".equals(r.source())) errors.add("node " + n + " post " + post + ": source " + r.source());
                for (String stat : STATS) {
                    Bounds bs = b == null ? new Bounds(0, 0) : b.get(stat);
                    long v = r.get(stat);
                    if (v < bs.lo()) errors.add("node " + n + " post " + post + " " + stat + " = " + v + " < " + bs.lo() + ": an acknowledged operation was lost (bounds " + bs + ")");
                    if (v > bs.hi()) errors.add("node " + n + " post " + post + " " + stat + " = " + v + " > " + bs.hi() + ": counted twice or counted a refused operation (bounds " + bs + ")");
                }
            }
            if (likers == null) continue;
            MemberBounds lb = likerBounds.getOrDefault(post, new MemberBounds(Set.of(), Set.of()));
            Set<String> firstSet = null;
            for (int n = 0; n < likers.size(); n++) {
                Set<String> set = likers.get(n).get(post);
                if (set == null) {
                    errors.add("node " + n + " post " + post + ": likers not read");
                    continue;
                }
                if (firstSet == null) firstSet = set;
                else if (!Objects.equals(new TreeSet<>(firstSet), new TreeSet<>(set))) errors.add("post " + post + ": likers differ between node 0 and node " + n);
                for (String u : lb.required()) if (!set.contains(u)) errors.add("node " + n + " post " + post + ": acknowledged liker " + u + " missing");
                for (String u : set) if (!lb.allowed().contains(u)) errors.add("node " + n + " post " + post + ": " + u + " listed as a liker but its like was refused or undone");
                Reading r = readings.get(n).get(post);
                if (r != null && r.likes() != set.size()) errors.add("node " + n + " post " + post + ": likes " + r.likes() + " but " + set.size() + " likers");
            }
        }
        return errors;
    }
}
