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
 * <p><b>Counters</b> (likes, retweets, replies, views): every node counts the actions it accepted, in
 * its own slot per incarnation, and the visible value is {@code max(0, Σincr − Σdecr)}. An
 * acknowledged increment must be counted, an indeterminate one may be, a failed one must not; the
 * same for decrements (unlike, un-retweet, reply delete). So for each post and stat:
 * {@code lo = max(0, ok+ − ok− − indeterminate−)} and {@code hi = ok+ + indeterminate+ − ok−}; a
 * value below {@code lo} lost an acknowledged operation, above {@code hi} counted one twice (or one
 * that failed). Views have only increments.
 *
 * <p><b>Likers</b> (the cross-node OR-set): a user acts only through its home node, so its likes and
 * unlikes of a post are sequential. Of the operations not refused, if the last is an acknowledged
 * like, the user must be a liker; if it is an acknowledged unlike and every like before it went to
 * the same incarnation of the home node, the user must not be one (after a wipe the home node may
 * tombstone only the elements it has synced again, so the earlier like may survive; add-wins); after
 * an indeterminate last operation either is allowed. A user with no like that was acknowledged or
 * indeterminate must not be a liker.
 *
 * <p><b>Agreement</b>: every node reports the same four counters and the same likers for every post,
 * from the CRDT (source {@code crdt}). Without wipes, likes must also equal the number of likers.
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

    /** Per post, per stat: the bounds the history allows. */
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
        Map<String, Map<String, Bounds>> out = new LinkedHashMap<>();
        acc.forEach((post, m) -> {
            Map<String, Bounds> stats = new LinkedHashMap<>();
            for (String s : STATS) {
                long[] b = m.getOrDefault(s, new long[2]);
                stats.put(s, new Bounds(Math.max(0, b[0]), Math.max(0, b[1])));
            }
            out.put(post, stats);
        });
        return out;
    }

    /** What the likers OR-set of a post must and must not hold. */
    public record LikerBounds(Set<String> required, Set<String> allowed) {}

    public static Map<String, LikerBounds> likerBounds(List<Op> ops) {
        Map<String, Map<String, List<Op>>> byPostUser = new LinkedHashMap<>();
        for (Op op : ops) {
            if (op.kind() != Op.Kind.LIKE && op.kind() != Op.Kind.UNLIKE) continue;
            if (op.outcome() == Op.Outcome.FAIL) continue;
            byPostUser.computeIfAbsent(op.post(), p -> new LinkedHashMap<>()).computeIfAbsent(op.user(), u -> new ArrayList<>()).add(op);
        }
        Map<String, LikerBounds> out = new LinkedHashMap<>();
        byPostUser.forEach((post, users) -> {
            Set<String> required = new TreeSet<>();
            Set<String> allowed = new TreeSet<>();
            users.forEach((user, list) -> {
                list.sort(Comparator.comparingLong(Op::startMs).thenComparingLong(Op::id));
                Op last = list.get(list.size() - 1);
                boolean everLiked = list.stream().anyMatch(o -> o.kind() == Op.Kind.LIKE);
                if (!everLiked) return;
                if (last.outcome() == Op.Outcome.INDETERMINATE) {
                    allowed.add(user);
                } else if (last.kind() == Op.Kind.LIKE) {
                    required.add(user);
                    allowed.add(user);
                } else {
                    boolean oneIncarnation = list.stream().filter(o -> o.kind() == Op.Kind.LIKE)
                            .allMatch(o -> o.node() == last.node() && o.incarnation() == last.incarnation());
                    if (!oneIncarnation) allowed.add(user);
                }
            });
            out.put(post, new LikerBounds(required, allowed));
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
     * @param wiped    whether any store was wiped (then likes need not equal the likers)
     */
    public static List<String> check(List<Op> ops, List<String> posts, List<Map<String, Reading>> readings,
                                     List<Map<String, Set<String>>> likers, boolean wiped) {
        List<String> errors = new ArrayList<>();
        Map<String, Map<String, Bounds>> bounds = bounds(ops);
        Map<String, LikerBounds> likerBounds = likerBounds(ops);
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
            LikerBounds lb = likerBounds.getOrDefault(post, new LikerBounds(Set.of(), Set.of()));
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
                if (!wiped && r != null && r.likes() != set.size()) errors.add("node " + n + " post " + post + ": likes " + r.likes() + " but " + set.size() + " likers");
            }
        }
        return errors;
    }
}
