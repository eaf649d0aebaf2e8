package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link HotPosts} against a direct model of its rule: counts per post, a new post when full evicts the
 * lowest count (equal counts: the one that reached its count first) and starts at 1; the top is by count,
 * then by post id.
 */
class HotPostsTest {

    /** The rule written plainly: O(n) per touch. */
    static final class Model {
        final Map<String, long[]> posts = new HashMap<>(); // post → {count, when it reached it}
        long clock;

        void touch(String post) {
            long[] e = posts.get(post);
            if (e == null) {
                if (posts.size() >= HotPosts.CAPACITY) {
                    String coldest = posts.entrySet().stream()
                            .min(Comparator.<Map.Entry<String, long[]>>comparingLong(x -> x.getValue()[0])
                                    .thenComparingLong(x -> x.getValue()[1]))
                            .orElseThrow().getKey();
                    posts.remove(coldest);
                }
                posts.put(post, new long[] {1, clock++});
            } else {
                e[0]++;
                e[1] = clock++;
            }
        }

        List<String> top(int n) {
            List<String> all = new ArrayList<>(posts.keySet());
            all.sort(Comparator.<String>comparingLong(p -> -posts.get(p)[0]).thenComparing(Comparator.naturalOrder()));
            return all.subList(0, Math.min(n, all.size()));
        }
    }

    @Test
    void agreesWithTheRuleUnderEvictions() {
        HotPosts hot = new HotPosts();
        Model model = new Model();
        SplittableRandom random = new SplittableRandom(14);
        for (int i = 0; i < 60_000; i++) {
            // a skewed mix: a few hot posts, many cold ones, more distinct posts than the capacity
            int r = random.nextInt(100);
            String post = "p" + (r < 30 ? random.nextInt(20) : r < 60 ? random.nextInt(500) : random.nextInt(6_000));
            hot.touch(post);
            model.touch(post);
            if (i % 5_000 == 4_999) {
                assertThat(hot.top(HotPosts.CAPACITY)).as("after %d touches", i + 1).isEqualTo(model.top(HotPosts.CAPACITY));
            }
        }
        assertThat(hot.top(10)).isEqualTo(model.top(10));
        assertThat(hot.top(0)).isEmpty();
        assertThat(hot.top(HotPosts.CAPACITY + 5)).hasSize(HotPosts.CAPACITY);
    }

    @Test
    void busiestFirstThenByIdAndTheColdestLeaves() {
        HotPosts hot = new HotPosts();
        for (int i = 0; i < 3; i++) hot.touch("b");
        hot.touch("a");
        hot.touch("c");
        hot.touch("a");
        assertThat(hot.top(3)).containsExactly("b", "a", "c");
        for (int i = 0; i < HotPosts.CAPACITY - 3; i++) hot.touch("fill" + i);
        hot.touch("new"); // full: "c" reached count 1 first among the posts touched once
        assertThat(hot.top(HotPosts.CAPACITY)).doesNotContain("c").contains("new", "fill0").hasSize(HotPosts.CAPACITY);
    }
}
